// net::read_arrived: what has arrived on a socket, taken without waiting.
// (stage4's read_head uses it for a kept-alive client's next request.)
#include "catch.hpp"

#include "net/listener.hpp"
#include "net/timed_io.hpp"

#include <poll.h>

using namespace webstack;

namespace {
// A connected pair on 127.0.0.1: `ours` (as a server holds it) and `peer`.
struct Pair {
    boost::asio::io_context io;
    net::Socket ours{io};
    boost::asio::ip::tcp::socket peer{io};

    Pair() {
        using boost::asio::ip::tcp;
        tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        peer.connect(acceptor.local_endpoint());
        tcp::socket accepted(io);
        acceptor.accept(accepted);
        const auto endpoint = accepted.local_endpoint();
        ours = net::Socket(io, net::StreamProtocol(endpoint.protocol().family(), IPPROTO_TCP), accepted.release());
    }
    // Until `ours` has something to read (or 2 s have passed).
    void wait_readable() {
        pollfd watched{ours.native_handle(), POLLIN, 0};
        ::poll(&watched, 1, 2000);
    }
};
}  // namespace

TEST_CASE("read_arrived takes what is there and never waits", "[timed_io]") {
    Pair pair;
    std::string into = "kept";
    CHECK(net::read_arrived(pair.ours, into, 100) == 0);  // nothing yet: 0 at once
    CHECK(into == "kept");

    boost::asio::write(pair.peer, boost::asio::buffer(std::string("GET / HTTP/1.1\r\n")));
    pair.wait_readable();
    CHECK(net::read_arrived(pair.ours, into, 4) == 4);  // no more than asked
    CHECK(into == "keptGET ");
    CHECK(net::read_arrived(pair.ours, into, 100) == 12);  // appended after what was there
    CHECK(into == "keptGET / HTTP/1.1\r\n");
    CHECK(net::read_arrived(pair.ours, into, 100) == 0);

    pair.peer.close();  // the end: 0, and the next read_some_for says Closed
    pair.wait_readable();
    CHECK(net::read_arrived(pair.ours, into, 100) == 0);
    CHECK(into == "keptGET / HTTP/1.1\r\n");
}
