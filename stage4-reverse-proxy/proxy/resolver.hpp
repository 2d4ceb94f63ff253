// `resolver 127.0.0.53;`: the DNS servers asked, while serving, for the
// names that proxy_pass makes from variables (`proxy_pass http://$backend;`
// with $backend "app.internal"), as nginx asks them: a question for the
// name's A records goes out over UDP to each server in turn until one
// answers within resolver_timeout. The question is written and the answer
// read by glibc's libresolv (res_mkquery, ns_parserr); the waiting is
// ours, on the worker's event loop. The addresses are kept for the
// answer's TTL (or `resolver ... valid=TIME`), as one upstream group per
// name, so that the tries and the balancing go over all of them.
#pragma once

#include "config/config.hpp"
#include "proxy/balancer.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace webstack::stage4 {

class NameCache {
public:
    // The upstream group for `name` (port `port`): from the cache, else
    // asked of the settings' resolver. nullptr, with nginx's words in
    // `problem`, when no server answered with an address.
    boost::asio::awaitable<const Upstream*> lookup(const std::string& name, int port, const Settings& settings,
                                                   Balancer& balancer, std::string& problem);

private:
    struct Entry {
        std::unique_ptr<Upstream> group;  // stable: the balancer keeps state per server
        std::chrono::steady_clock::time_point expires;
    };
    std::map<std::string, Entry> entries_;  // by "name:port"
};

}  // namespace webstack::stage4
