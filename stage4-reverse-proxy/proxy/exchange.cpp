#include "proxy/exchange.hpp"

#include "config/values.hpp"
#include "http/serializer.hpp"
#include "http/message_rules.hpp"
#include "log/log.hpp"
#include "proxy/relay.hpp"
#include "proxy/request_body.hpp"
#include "proxy/responses.hpp"
#include "proxy/retry.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <utility>

namespace webstack::stage4 {

namespace {

// The request as every try sends it, built once.
struct UpstreamRequest {
    std::string head;            // request line and headers, for the upstream
    bool body_with_head = false; // a small buffered body is in `head` already: one write
    bool idempotent = true;      // nginx never sends POST, PATCH and LOCK twice (unless non_idempotent)
    bool resendable = true;      // a streamed body is gone once sent
    int keepalive = 32;          // idle connections to keep; 0: close after each answer
    KeepLimits keep_limits;      // the upstream block's keepalive_ limits
};

UpstreamRequest upstream_request(const Proxying& proxying, const RequestBody& body) {
    const auto& request = proxying.request;
    const auto& pass = *proxying.context.proxy_pass;
    UpstreamRequest outgoing;
    // nginx 1.29.7+ keeps connections to every upstream, named or not.
    outgoing.keepalive = pass.upstream ? pass.upstream->keepalive : 32;
    if (pass.upstream)
        outgoing.keep_limits = {pass.upstream->keepalive, pass.upstream->keepalive_requests, pass.upstream->keepalive_time,
                                pass.upstream->keepalive_timeout};
    outgoing.head = upstream_request_head(request, proxying.location, proxying.context, body.length,
                                          outgoing.keepalive > 0, body.chunked);
    // A body read whole into memory leaves with the head, in one write: the
    // app server then wakes up once for the request, not twice.
    if (const auto small = body.present && body.buffered ? body.buffer.whole_in_memory() : std::nullopt) {
        outgoing.head.append(*small);
        outgoing.body_with_head = true;
    }
    outgoing.idempotent = request.method != "POST" && request.method != "PATCH" && request.method != "LOCK";
    outgoing.resendable = body.buffered || !body.present;
    return outgoing;
}

// Where a try goes: a server of the group the balancer picked, or
// proxy_pass's plain address.
struct Destination {
    asio::ip::tcp::endpoint endpoint;
    const UpstreamServer* server = nullptr;  // nullptr for a plain address
};

std::optional<Destination> choose_destination(const ProxyPass& pass, Balancer& balancer,
                                              const std::vector<const UpstreamServer*>& tried) {
    if (!pass.upstream) return Destination{pass.endpoint, nullptr};
    const auto* server = balancer.pick(*pass.upstream, tried);
    if (!server) return std::nullopt;
    return Destination{server->endpoint, server};
}

// `proxy_pass http://$arg_to/x`, made for this request: an upstream block's
// name (without a port), an IP address and port, or a name the resolver
// answers for with an upstream group. Nothing, with nginx's words in
// `problem`, for a URL that is no URL or a name nobody resolved.
asio::awaitable<std::optional<ProxyPass>> pass_for_request(const Proxying& proxying, std::string& problem) {
    const ProxyPass& written = *proxying.location.proxy_pass;
    const auto& context = proxying.context;
    const std::string url = expand_variables(written.variable_url, context);
    const auto rest = std::string_view(url).substr(std::string_view("http://").size());
    const auto slash = rest.find('/');
    const std::string host_text(rest.substr(0, slash));
    const auto address = parse_host_and_port(host_text, 80);
    if (!address) {
        problem = "invalid URL prefix in \"" + url + "\"";
        co_return std::nullopt;
    }
    ProxyPass pass;
    pass.host = address->host;
    pass.port = address->port;
    pass.port_given = address->port_given;
    if (slash != std::string_view::npos) pass.uri = std::string(rest.substr(slash));
    pass.variable_url = written.variable_url;
    for (const auto* upstream : written.upstream_blocks)
        if (!address->port_given && upstream->name == address->host) pass.upstream = upstream;
    if (pass.upstream) co_return pass;
    boost::system::error_code error;
    const auto ip = asio::ip::make_address(address->host.starts_with('[') ? address->host.substr(1, address->host.size() - 2)
                                                                          : address->host, error);
    if (!error) {
        pass.endpoint = {ip, static_cast<unsigned short>(address->port)};
        co_return pass;
    }
    // A name: the resolver's addresses, as one upstream group.
    pass.upstream = co_await proxying.upstreams.names.lookup(pass.host, pass.port, proxying.settings(),
                                                             proxying.upstreams.balancer, problem);
    if (!pass.upstream) co_return std::nullopt;
    co_return pass;
}

// Where this request goes: the location's proxy_pass, or (with variables)
// `made` for it. False, logged, when no such address could be made.
asio::awaitable<bool> choose_pass(const Proxying& proxying, std::optional<ProxyPass>& made) {
    auto& context = proxying.context;
    context.proxy_pass = &*proxying.location.proxy_pass;
    if (!context.proxy_pass->variable_url.empty()) {
        std::string problem;
        made = co_await pass_for_request(proxying, problem);
        if (!made) {
            log::error("{}, client: {}, server: {}, request: \"{}\"", problem, context.connection.remote_host,
                       context.server_name, http::request_line(proxying.request));
            co_return false;
        }
        context.proxy_pass = &*made;
    }
    context.proxy_host = context.proxy_pass->proxy_host();
    context.proxy_port = context.proxy_pass->upstream ? 80 : context.proxy_pass->port;
    co_return true;
}

// One try: a connection (kept or new), the request sent, the answer's head read.
struct Attempt {
    Attempt(bool fresh, const Proxying& proxying) : fresh(fresh), reply(proxying.request.method, proxying.settings()) {}
    std::optional<net::Socket> socket;     // made when the connection is (a kept one is moved in)
    int requests_before = 0;               // answers the kept connection carried before this one
    std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();  // the connection's
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();  // the try's
    std::optional<std::chrono::milliseconds> connect_time, header_time;  // $upstream_connect_time, ...
    std::uint64_t bytes_sent = 0;          // $upstream_bytes_sent
    bool fresh = false;                    // take no kept connection: connect anew
    bool kept = false;                     // the connection came from the pool
    UpstreamReply reply;
    std::optional<TryFailure> failure;     // what went wrong, if anything did
    std::string problem;                   // the failure, in nginx's error log words
    std::optional<Outcome> client_failure; // the client failed while its body was passed on
};

std::chrono::milliseconds since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

// $upstream_addr, $upstream_status, $upstream_*_time: one more server
// tried, what it said, and how long it took (a failed try has ended; the
// answer being passed on ends when proxy_request() has relayed it).
void note_try(RequestContext& context, const asio::ip::tcp::endpoint& endpoint, Attempt& attempt) {
    context.upstream_tries.push_back({endpoint, attempt.reply.parser.headers_complete() ? attempt.reply.parser.status() : 0,
                                      attempt.connect_time, attempt.header_time,
                                      attempt.failure ? std::optional(since(attempt.started)) : std::nullopt,
                                      attempt.bytes_sent, attempt.reply.bytes_received, attempt.reply.body_length});
}

// The answer passed on (or replaced by an error page) has ended: its
// try's time and sizes; the upstream's headers, which go with this frame,
// copied for the log if it asks for $upstream_http_NAME.
void note_answer_done(RequestContext& context, const Attempt& attempt) {
    auto& tried = context.upstream_tries.back();
    tried.response_time = since(attempt.started);
    tried.bytes_received = attempt.reply.bytes_received;
    tried.response_length = attempt.reply.body_length;
    context.upstream_headers = nullptr;
    if (upstream_heads_wanted()) {
        context.kept_upstream_headers = attempt.reply.parser.headers();
        context.upstream_headers = &*context.kept_upstream_headers;
    }
}

// Reusing a kept connection saves a round trip and the app server an
// accept(); after a stale one (attempt.fresh), connect anew.
void take_kept_connection(Attempt& attempt, const Proxying& proxying, const Destination& destination,
                          const UpstreamRequest& outgoing) {
    if (attempt.fresh || outgoing.keepalive == 0) return;
    auto kept = proxying.upstreams.pool.take(proxying.context.proxy_pass->upstream, destination.endpoint,
                                             !outgoing.idempotent, outgoing.keep_limits);
    if (!kept) return;
    attempt.socket.emplace(std::move(kept->socket));
    attempt.requests_before = kept->requests;
    attempt.opened = kept->opened;
    attempt.kept = true;
    attempt.connect_time = std::chrono::milliseconds(0);
}

// The answer's head could not be read: why, for after_failure() and the log.
void note_head_failure(Attempt& attempt, const HeadResult& head) {
    const bool timed_out = head.io.status == IoStatus::TimedOut;
    const bool invalid = attempt.reply.parser.error() && !attempt.reply.parser.headers_complete();
    const auto kind = timed_out ? TryFailure::Kind::Timeout
                                : invalid ? TryFailure::Kind::InvalidHeader : TryFailure::Kind::Error;
    attempt.failure = TryFailure{.kind = kind, .request_sent = true, .kept_connection = attempt.kept,
                                 .answer_started = attempt.reply.any_byte};
    attempt.problem = head.problem + " while reading response header from upstream";
}

// The upstream has sent its whole answer: the connection goes back to the
// pool (or closes), and the balancer counts the server as done.
void finish_with_upstream(Attempt& attempt, BalancerTicket& ticket, const Destination& destination,
                          const UpstreamRequest& outgoing, const Proxying& proxying, bool reusable) {
    ticket.release_as_done();
    if (reusable && outgoing.keepalive > 0) {
        proxying.upstreams.pool.give_back(
            proxying.context.proxy_pass->upstream, destination.endpoint,
            UpstreamConnection{std::move(*attempt.socket), attempt.requests_before, attempt.opened, {}},
            outgoing.keep_limits);
    } else {
        boost::system::error_code ignored;
        attempt.socket->close(ignored);
    }
}

asio::awaitable<void> try_once(Attempt& attempt, const Proxying& proxying, const Destination& destination,
                               const UpstreamRequest& outgoing, RequestBody& body) {
    const auto& settings = proxying.settings();
    take_kept_connection(attempt, proxying, destination, outgoing);
    if (!attempt.socket) {
        const auto executor = co_await asio::this_coro::executor;  // on its own line (a g++ 12 bug: timed_io.hpp)
        attempt.socket.emplace(executor);
        const auto connected = co_await connect_for(*attempt.socket, destination.endpoint, settings.proxy_connect_timeout);
        if (!connected.ok()) {
            const bool timed_out = connected.status == IoStatus::TimedOut;
            attempt.failure = TryFailure{.kind = timed_out ? TryFailure::Kind::Timeout : TryFailure::Kind::Error};
            attempt.problem = (timed_out ? describe(connected) : "connect() failed " + describe(connected)) +
                              " while connecting to upstream";
            co_return;
        }
        attempt.connect_time = since(attempt.started);
    }
    auto& socket = *attempt.socket;
    // A streamed body: send_body() writes the head with what of the body has arrived already.
    const bool streamed = body.present && !body.buffered;
    IoResult sent;
    if (!streamed) sent = co_await write_all_for(socket, outgoing.head, settings.proxy_send_timeout);
    const std::string_view head_with_body = streamed ? std::string_view(outgoing.head) : std::string_view();
    if (sent.ok() && body.present && !outgoing.body_with_head)
        sent = co_await send_body(proxying, socket, body, attempt.client_failure, head_with_body);
    if (attempt.client_failure) co_return;
    attempt.bytes_sent = outgoing.head.size();
    if (body.present && !outgoing.body_with_head)
        attempt.bytes_sent += body.buffered ? body.buffer.size() : body.length.value_or(body.streamed.size());
    if (!sent.ok()) {
        const auto kind = sent.status == IoStatus::TimedOut ? TryFailure::Kind::Timeout : TryFailure::Kind::Error;
        attempt.failure = TryFailure{.kind = kind, .request_sent = true, .kept_connection = attempt.kept};
        attempt.problem = describe(sent) + " while sending request to upstream";
        co_return;
    }
    const auto head = co_await read_response_head(socket, attempt.reply, settings);
    if (head.ok()) {
        attempt.header_time = since(attempt.started);
        // proxy_next_upstream http_502 (and the like): this answer may count as a failure.
        const int status = attempt.reply.parser.status();
        const auto& listed = settings.proxy_next_upstream.statuses;
        if (std::find(listed.begin(), listed.end(), status) != listed.end())
            attempt.failure = TryFailure{.kind = TryFailure::Kind::Status, .status = status, .request_sent = true,
                                         .kept_connection = attempt.kept, .answer_started = true};
        co_return;
    }
    note_head_failure(attempt, head);
}

// The tries of one request so far, and what the client gets if none works.
struct Tries {
    TryState state;
    std::vector<const UpstreamServer*> tried;  // servers that failed
    bool fresh = false;                        // after a stale kept connection: connect anew
    int status = 502;                          // what the client gets when no try succeeds
    const std::chrono::steady_clock::time_point first_try = std::chrono::steady_clock::now();

    enum class Next { Again, GiveUp, PassAnswerOn };
    // After a failed try: asks after_failure() (retry.hpp), tells the
    // balancer and the error log, and says what the loop does next.
    Next after_failure_of(const Attempt& attempt, BalancerTicket& ticket, const Destination& destination,
                          const Proxying& proxying) {
        const auto& pass = *proxying.context.proxy_pass;
        state.servers_tried = static_cast<int>(tried.size()) + (destination.server ? 1 : 0);
        const auto decision = after_failure(*attempt.failure, state, proxying.settings().proxy_next_upstream);
        if (decision.next == RetryDecision::Next::FreshConnection) {
            --state.tries;  // the kept connection's fault, not a try
            fresh = true;
            return Next::Again;
        }
        // nginx: a 404 sends the request to the next server, but does not count against this one.
        bool disabled = false;
        if (attempt.failure->kind == TryFailure::Kind::Status && attempt.failure->status == 404) ticket.release_as_done();
        else disabled = ticket.release_as_failed();
        if (destination.server) tried.push_back(destination.server);
        status = decision.status;
        // A listed status with no other server up: the client gets that answer.
        const bool another = pass.upstream && proxying.upstreams.balancer.available(*pass.upstream, tried);
        if (attempt.failure->kind == TryFailure::Kind::Status &&
            (decision.next == RetryDecision::Next::PassAnswerOn || !another))
            return Next::PassAnswerOn;
        const UpstreamAddress address{destination.endpoint, proxying.request.target};
        if (!attempt.problem.empty()) log_upstream_error(attempt.problem, proxying.context, address);
        if (disabled) {  // nginx's warning, in the phase the error named ("... while connecting to upstream")
            const auto phase = attempt.problem.find(" while ");
            const std::string warning = "upstream server temporarily disabled" +
                                        (phase == std::string::npos ? std::string() : attempt.problem.substr(phase));
            log_upstream_error(warning, proxying.context, address, log::Level::Warning);
        }
        // proxy_next_upstream_timeout: no next try after this long since the first.
        const auto limit = proxying.settings().proxy_next_upstream_timeout;
        if (limit.count() > 0 && since(first_try) >= limit) return Next::GiveUp;
        return decision.next == RetryDecision::Next::GiveUp ? Next::GiveUp : Next::Again;
    }
};

}  // namespace

// The body first, then tries until one server answers: pick a server,
// try it, and when that fails ask after_failure() (retry.hpp) what next.
asio::awaitable<Outcome> proxy_request(const Proxying& proxying) {
    std::optional<ProxyPass> made;  // `proxy_pass http://$arg_to`: this request's
    const bool chosen = co_await choose_pass(proxying, made);
    if (!chosen) co_return co_await answer(proxying.client, error_page(502, true), proxying.request);
    const auto& pass = *proxying.context.proxy_pass;
    const auto& settings = proxying.settings();
    RequestBody body(settings.client_body_in_file_only ? 0 : settings.client_body_buffer_size,
                     settings.client_body_temp_path, settings.client_body_file_kept);
    if (auto ended = co_await prepare_body(proxying, body)) co_return *ended;
    const auto outgoing = upstream_request(proxying, body);

    Tries tries;
    tries.state = {.idempotent = outgoing.idempotent,
                   .resendable = outgoing.resendable,
                   .max_tries = proxying.settings().proxy_next_upstream_tries,
                   .servers = pass.upstream ? static_cast<int>(pass.upstream->servers.size()) : 0};
    while (true) {
        const auto destination = choose_destination(pass, proxying.upstreams.balancer, tries.tried);
        if (!destination) {
            log_upstream_error("no live upstreams while connecting to upstream", proxying.context,
                               {{}, proxying.request.target});
            break;
        }
        BalancerTicket ticket(proxying.upstreams.balancer, destination->server);
        Attempt attempt(std::exchange(tries.fresh, false), proxying);
        ++tries.state.tries;
        co_await try_once(attempt, proxying, *destination, outgoing, body);
        if (attempt.client_failure) co_return *attempt.client_failure;  // not the server's fault
        note_try(proxying.context, destination->endpoint, attempt);
        if (attempt.failure) {
            const auto next = tries.after_failure_of(attempt, ticket, *destination, proxying);
            if (next == Tries::Next::GiveUp) break;
            if (next == Tries::Next::Again) continue;
        }
        // Here with an answer to pass on: a good one, or (PassAnswerOn) the
        // upstream's own error page, no other server being left. As soon as
        // the upstream has sent all of it, relay.cpp calls `release` back:
        // the connection goes to the pool (or closes) and the balancer counts
        // the server as done, while a slow client may still be reading.
        const UpstreamAddress address{destination->endpoint, proxying.request.target};
        const auto release = [&](bool reusable) {
            finish_with_upstream(attempt, ticket, *destination, outgoing, proxying, reusable);
        };
        // proxy_intercept_errors: the block's error_page instead of the upstream's page.
        const int status = attempt.reply.parser.status();
        if (settings.proxy_intercept_errors && status >= 300) {
            if (const auto* page = error_page_for(proxying.context, status)) {
                release(false);
                note_answer_done(proxying.context, attempt);
                co_return co_await proxying.context.error_pages->serve(*page, status);
            }
        }
        // std::cref: the std::function refers to the lambda instead of copying it.
        const auto outcome = co_await relay_response(proxying, {*attempt.socket, attempt.reply, address}, std::cref(release));
        note_answer_done(proxying.context, attempt);
        co_return outcome;
    }
    co_return co_await answer(proxying.client, error_page(tries.status, true), proxying.request);
}

}  // namespace webstack::stage4
