// nginx's gzip filter (`gzip on;`): an answer the client may take
// compressed ("Accept-Encoding: gzip") is compressed on its way out, when
//   - its status is 200, 403 or 404, and it is not compressed already;
//   - its type is text/html or one of gzip_types ("*" for any);
//   - its length, when known, is at least gzip_min_length (20 bytes);
//   - the request came over HTTP/1.1 at least (gzip_http_version);
//   - the request did not come through another proxy (a Via header),
//     unless gzip_proxied says which of those answers may be compressed.
// The compressed answer has no Content-Length (it is chunked, or ends at
// the close for HTTP/1.0), no Accept-Ranges, a weak ETag, and
// "Content-Encoding: gzip"; gzip_vary adds "Vary: Accept-Encoding".
//
// Built without zlib (zlib1g-dev), the gzip directives are refused by -t.
#pragma once

#include "config/config.hpp"
#include "http/message.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace webstack::stage4 {

// Whether this build has zlib.
bool have_gzip();

// Does the client take gzip? ("gzip" listed in Accept-Encoding, not with q=0)
bool accepts_gzip(const http::HeaderList& request_headers);

// What the gzip filter decides for one answer.
struct GzipDecision {
    bool compress = false;  // compress this answer
    bool vary = false;      // add "Vary: Accept-Encoding" (gzip_vary, for a type gzip would compress)
};

// `response_headers`: the answer's own (for Content-Encoding, and gzip_proxied's
// Cache-Control, Expires, Last-Modified, ETag); `length`: its body's, if known.
GzipDecision decide_gzip(const Settings& settings, const http::Request& request, int status,
                         std::string_view content_type, std::optional<std::uint64_t> length,
                         const http::HeaderList* response_headers = nullptr);

// The compressor: bytes in, gzip bytes out, a piece at a time.
class GzipStream {
public:
    // `length`, when known, lets zlib use a smaller window and less memory
    // for a small body, as nginx does (its gzip_window and gzip_hash).
    explicit GzipStream(int level, std::optional<std::uint64_t> length = std::nullopt);
    ~GzipStream();
    GzipStream(const GzipStream&) = delete;
    GzipStream& operator=(const GzipStream&) = delete;
    // The compressed bytes for `input` that are ready (maybe none yet);
    // with `last`, everything, and the gzip trailer.
    std::string compress(std::string_view input, bool last);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// A whole body at once.
std::string gzip_compress(std::string_view body, int level);

}  // namespace webstack::stage4
