#include "proxy/tls.hpp"

#include "log/log.hpp"

#ifdef WEBSTACK_HAVE_OPENSSL

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <map>
#include <sys/socket.h>

namespace webstack::stage4 {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

struct TlsContexts::Contexts {
    std::map<const Server*, std::unique_ptr<asio::ssl::context>> by_server;
};

namespace {

std::string openssl_error() {
    const auto code = ERR_get_error();
    char text[256] = "unknown error";
    if (code) ERR_error_string_n(code, text, sizeof text);
    ERR_clear_error();
    return text;
}

// What the SNI callback needs: which servers share the address.
struct NameLookup {
    const ListenGroup* group;
    const TlsContexts::Contexts* contexts;
};

int lookup_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

// SNI: the browser names the site it wants; that server's certificate.
int choose_certificate(SSL* ssl, int*, void*) {
    const auto* lookup = static_cast<const NameLookup*>(SSL_get_ex_data(ssl, lookup_index()));
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!lookup || !name) return SSL_TLSEXT_ERR_OK;
    const Server& server = choose_server(*lookup->group, std::string_view(name));
    const auto found = lookup->contexts->by_server.find(&server);
    if (found != lookup->contexts->by_server.end()) SSL_set_SSL_CTX(ssl, found->second->native_handle());
    return SSL_TLSEXT_ERR_OK;
}

// ALPN: http/1.1 if the browser offers it (never h2: not implemented).
int choose_protocol(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                    unsigned int in_length, void*) {
    for (unsigned int at = 0; at < in_length; at += 1u + in[at]) {
        if (in[at] == 8 && at + 9 <= in_length && std::string_view(reinterpret_cast<const char*>(in + at + 1), 8) == "http/1.1") {
            *out = in + at + 1;
            *out_length = 8;
            return SSL_TLSEXT_ERR_OK;
        }
    }
    return SSL_TLSEXT_ERR_NOACK;
}

int protocol_version(const std::string& name) {
    if (name == "TLSv1") return TLS1_VERSION;
    if (name == "TLSv1.1") return TLS1_1_VERSION;
    if (name == "TLSv1.2") return TLS1_2_VERSION;
    if (name == "TLSv1.3") return TLS1_3_VERSION;
    return 0;  // SSLv2, SSLv3: OpenSSL 3 has neither
}

std::unique_ptr<asio::ssl::context> make_context(const Server& server) {
    const auto& tls = server.settings.tls;
    const auto& where = server.where;
    if (tls.certificate.empty())
        throw ConfigError("no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive", where);
    if (tls.certificate_key.empty())
        throw ConfigError("no \"ssl_certificate_key\" is defined for certificate \"" + tls.certificate + "\"", where);
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    if (SSL_CTX_use_certificate_chain_file(native, tls.certificate.c_str()) != 1)
        throw ConfigError("cannot load certificate \"" + tls.certificate + "\": " + openssl_error(), where);
    if (SSL_CTX_use_PrivateKey_file(native, tls.certificate_key.c_str(), SSL_FILETYPE_PEM) != 1)
        throw ConfigError("cannot load certificate key \"" + tls.certificate_key + "\": " + openssl_error(), where);
    if (SSL_CTX_check_private_key(native) != 1)
        throw ConfigError("the key \"" + tls.certificate_key + "\" does not belong to the certificate \"" +
                          tls.certificate + "\": " + openssl_error(), where);
    int lowest = 0, highest = 0;
    for (const auto& name : tls.protocols) {
        const int version = protocol_version(name);
        if (!version) continue;
        if (!lowest || version < lowest) lowest = version;
        if (version > highest) highest = version;
    }
    if (!lowest) throw ConfigError("ssl_protocols names no protocol OpenSSL still has (TLSv1.2, TLSv1.3)", where);
    SSL_CTX_set_min_proto_version(native, lowest);
    SSL_CTX_set_max_proto_version(native, highest);
    if (SSL_CTX_set_cipher_list(native, tls.ciphers.c_str()) != 1)
        throw ConfigError("SSL_CTX_set_cipher_list(\"" + tls.ciphers + "\") failed: " + openssl_error(), where);
    if (tls.prefer_server_ciphers) SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (!tls.session_tickets) SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
    // A session cache of this worker's own (nginx's "shared" one spans the workers).
    const bool cache = tls.session_cache.starts_with("builtin") || tls.session_cache.starts_with("shared");
    SSL_CTX_set_session_cache_mode(native, cache ? SSL_SESS_CACHE_SERVER : SSL_SESS_CACHE_OFF);
    SSL_CTX_set_timeout(native, static_cast<long>(tls.session_timeout.count() / 1000));
    if (!tls.dhparam.empty()) {
        boost::system::error_code error;
        context->use_tmp_dh_file(tls.dhparam, error);
        if (error) throw ConfigError("cannot read DH parameters from \"" + tls.dhparam + "\": " + error.message(), where);
    }
    SSL_CTX_set_tlsext_servername_callback(native, choose_certificate);
    SSL_CTX_set_alpn_select_cb(native, choose_protocol, nullptr);
    return context;
}

// nginx's answer to plain HTTP on an HTTPS port.
std::string plain_http_answer() {
    constexpr std::string_view page =
        "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n"
        "<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS port</center>\r\n"
        "<hr><center>webstack</center>\r\n</body>\r\n</html>\r\n";
    return "HTTP/1.1 400 Bad Request\r\nServer: webstack\r\nContent-Type: text/html\r\nContent-Length: " +
           std::to_string(page.size()) + "\r\nConnection: close\r\n\r\n" + std::string(page);
}

using TlsStream = asio::ssl::stream<net::Socket>;
using PairSocket = asio::local::stream_protocol::socket;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Runs `operation` (an awaitable) for at most `timeout`; false when the time ran out.
template <typename Operation>
asio::awaitable<bool> within(Operation operation, Duration timeout) {
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto result = co_await (std::move(operation) || timer.async_wait(use_tuple));
    co_return result.index() == 0;
}

// The browser's bytes, decrypted, into the pair; its end of input ends ours.
asio::awaitable<void> browser_to_server(TlsStream& tls, PairSocket& pair) {
    std::array<char, 16 * 1024> buffer;
    while (true) {
        auto [error, got] = co_await tls.async_read_some(asio::buffer(buffer), use_tuple);
        if (error || got == 0) break;
        auto [write_error, written] = co_await asio::async_write(pair, asio::buffer(buffer.data(), got), use_tuple);
        if (write_error) break;
    }
    boost::system::error_code ignored;
    pair.shutdown(PairSocket::shutdown_send, ignored);  // serve_client sees the client's end of input
}

// What serve_client writes, encrypted, to the browser; when it closes its
// end, a TLS close_notify and the connection's close.
asio::awaitable<void> server_to_browser(TlsStream& tls, PairSocket& pair, Duration send_timeout) {
    std::array<char, 16 * 1024> buffer;
    while (true) {
        auto [error, got] = co_await pair.async_read_some(asio::buffer(buffer), use_tuple);
        if (error || got == 0) break;
        const bool sent = co_await within(asio::async_write(tls, asio::buffer(buffer.data(), got), use_tuple), send_timeout);
        if (!sent) break;
    }
    (void)co_await within(tls.async_shutdown(use_tuple), Duration(1000));
    boost::system::error_code ignored;
    tls.next_layer().close(ignored);  // also ends browser_to_server's read
}

}  // namespace

TlsContexts::TlsContexts(const Config& config) : contexts_(std::make_unique<Contexts>()) {
    for (const auto& group : group_by_listen_address(config)) {
        if (!group.address.ssl) continue;
        for (const Server* server : group.servers) {
            if (contexts_->by_server.contains(server)) continue;
            // A server that names no certificate on a shared ssl address is
            // reached through SNI only if it has one: then the default's is used.
            const bool says_ssl = std::any_of(server->listen.begin(), server->listen.end(),
                                              [](const ListenAddress& listen) { return listen.ssl; });
            if (!says_ssl && server->settings.tls.certificate.empty() && server != group.default_server) continue;
            contexts_->by_server[server] = make_context(*server);
        }
    }
}

TlsContexts::~TlsContexts() = default;

asio::awaitable<void> TlsContexts::serve(net::Socket socket, const ListenGroup& group, ConnectionRegistry& registry,
                                         Upstreams& upstreams, const ContentHandler* content) const {
    const auto executor = co_await asio::this_coro::executor;
    const auto& settings = group.default_server->settings;
    const DecryptedConnection decrypted{net::endpoints_of(socket)};
    // A TLS connection starts with a handshake record (0x16); anything
    // else is plain HTTP sent to the wrong port.
    if (!co_await within(socket.async_wait(net::Socket::wait_read, use_tuple), settings.client_header_timeout)) co_return;
    unsigned char first = 0;
    if (::recv(socket.native_handle(), &first, 1, MSG_PEEK) == 1 && first != 0x16) {
        const auto answer = plain_http_answer();
        (void)co_await within(asio::async_write(socket, asio::buffer(answer), use_tuple), settings.send_timeout);
        // Read what the client sent before closing, or the kernel answers
        // its unread bytes with a reset that can destroy our answer.
        boost::system::error_code ignored;
        socket.shutdown(net::Socket::shutdown_send, ignored);
        std::array<char, 4096> discard;
        (void)co_await within(socket.async_read_some(asio::buffer(discard), use_tuple), Duration(1000));
        co_return;
    }
    const auto found = contexts_->by_server.find(group.default_server);
    if (found == contexts_->by_server.end()) co_return;
    TlsStream tls(std::move(socket), *found->second);
    NameLookup lookup{&group, contexts_.get()};
    SSL_set_ex_data(tls.native_handle(), lookup_index(), &lookup);
    const bool shook = co_await within(tls.async_handshake(asio::ssl::stream_base::server, use_tuple),
                                       settings.client_header_timeout);
    if (!shook || !SSL_is_init_finished(tls.native_handle())) {
        log::info("SSL handshake failed, client: {}", decrypted.endpoints.remote_host);
        co_return;
    }
    SSL_set_ex_data(tls.native_handle(), lookup_index(), nullptr);  // `lookup` ends with this frame

    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
        log::write(log::Level::Critical, "socketpair() failed for a TLS connection");
        co_return;
    }
    net::Socket inner(executor);
    inner.assign(asio::ip::tcp::v4(), ends[0]);  // serve_client's end: it reads and writes, nothing more
    PairSocket outer(executor);
    outer.assign(asio::local::stream_protocol(), ends[1]);
    asio::co_spawn(executor, serve_client(std::move(inner), group, registry, upstreams, content, decrypted),
                   asio::detached);
    co_await (browser_to_server(tls, outer) && server_to_browser(tls, outer, settings.send_timeout));
}

}  // namespace webstack::stage4

#else  // built without OpenSSL: `listen ... ssl` is refused when the config is read

namespace webstack::stage4 {

struct TlsContexts::Contexts {};
TlsContexts::TlsContexts(const Config&) {}
TlsContexts::~TlsContexts() = default;
boost::asio::awaitable<void> TlsContexts::serve(net::Socket, const ListenGroup&, ConnectionRegistry&, Upstreams&,
                                                const ContentHandler*) const {
    co_return;
}

}  // namespace webstack::stage4

#endif
