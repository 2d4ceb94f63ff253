// What a worker process knows of its upstream servers: the connections it
// keeps open to them, and how each server has been doing.
#pragma once

#include "proxy/balancer.hpp"
#include "proxy/resolver.hpp"
#include "proxy/upstream_pool.hpp"

namespace webstack::stage4 {

struct Upstreams {
    UpstreamPool pool;
    Balancer balancer;
    NameCache names;  // what `resolver` answered
};

}  // namespace webstack::stage4
