// Stage 5's idea: requests for files never reach the application. A
// location with `root` or `alias` (and no proxy_pass) is answered from
// disk by the proxy itself, as nginx does for `location /static/`.
//
// For each request: map the URI to a file (root: the whole URI appended;
// alias: the location's prefix replaced), open it without leaving that
// folder (safe_open.hpp), then answer as nginx's static module would:
// 200 with validators, 304/412 (validators.hpp), 206/416 for ranges, a 301
// to add the "/" of a folder, its index file, an autoindex listing or 403,
// 404 and 405. try_files picks the first file that exists, else a
// fallback: another URI, a named location (often the application), or a
// status.
#pragma once

#include "proxy/command.hpp"
#include "proxy/content_handler.hpp"
#include "static/settings.hpp"

#include <map>
#include <memory>

namespace webstack::stage5 {

class StaticFiles final : public stage4::ContentHandler {
public:
    // For `config`, read with static_language() (it must outlive this).
    // Throws ConfigError for a try_files whose named location is missing.
    explicit StaticFiles(const stage4::Config& config);

    boost::asio::awaitable<stage4::Outcome> handle(const stage4::ContentRequest& asked) const override;

    // The settings that apply in `location` of `server` (nullptr: no location matched).
    const StaticSettings& settings_for(const stage4::Server& server, const stage4::Location* location) const;
};

// The module stage5-static-files hands to stage 4's command line.
stage4::Module static_files_module();

}  // namespace webstack::stage5
