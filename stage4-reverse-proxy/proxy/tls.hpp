// HTTPS termination (`listen 443 ssl;` with ssl_certificate and
// ssl_certificate_key): the proxy speaks TLS with the browser and plain
// HTTP with the app server, one of the main reasons a proxy sits in front
// of Gunicorn.
//
// TLS is a layer under HTTP, and this file keeps it there: a connection on
// an ssl address is decrypted into one end of a socket pair, and the other
// end is served by serve_client() like any connection (it is told the
// client's address, and that $scheme is https). Two small loops copy the
// bytes between the TLS stream and the pair. That costs a copy each way,
// which nginx, with TLS inside its connection object, does not pay
// (bench/README.md measures it).
//
// Through OpenSSL, with Asio's ssl::stream. One OpenSSL context per
// server block that listens with ssl; several on one address are chosen
// by the name the browser asks for (SNI), else the default server's.
// ALPN offers http/1.1 only: HTTP/2 is not implemented.
#pragma once

#include "config/config.hpp"
#include "proxy/nginx_version.hpp"  // have_tls()
#include "proxy/client_connection.hpp"
#include "proxy/routing.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace webstack::stage4 {

class TlsContexts {
public:
    // Loads the certificate and key of every server on an ssl address and
    // checks they belong together; throws ConfigError in nginx's words
    // (`no "ssl_certificate" is defined for the "listen ... ssl" directive`,
    // `cannot load certificate "..."`).
    explicit TlsContexts(const Config& config);
    ~TlsContexts();
    TlsContexts(const TlsContexts&) = delete;
    TlsContexts& operator=(const TlsContexts&) = delete;

    // Serves one connection accepted on `group`'s ssl address.
    boost::asio::awaitable<void> serve(net::Socket socket, const ListenGroup& group, ConnectionRegistry& registry,
                                       Upstreams& upstreams, const ContentHandler* content) const;

    struct Contexts;  // tls.cpp: the OpenSSL contexts, by server

private:
    std::unique_ptr<Contexts> contexts_;
};

}  // namespace webstack::stage4
