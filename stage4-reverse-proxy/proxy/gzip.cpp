#include "proxy/gzip.hpp"

#include "http/headers.hpp"

#include <cstdlib>
#include <stdexcept>

#ifdef WEBSTACK_HAVE_ZLIB
#include <zlib.h>
#endif

namespace webstack::stage4 {

bool accepts_gzip(const http::HeaderList& headers) {
    const auto accept = headers.get_combined("Accept-Encoding");
    if (!accept) return false;
    for (const auto item : http::split_list(*accept)) {
        const auto semicolon = item.find(';');
        if (!http::equals_ignoring_case(http::trim(item.substr(0, semicolon)), "gzip")) continue;
        if (semicolon == std::string_view::npos) return true;
        const auto q = item.substr(semicolon + 1);
        const auto equals = q.find('=');
        if (equals == std::string_view::npos) return true;
        return std::strtod(std::string(q.substr(equals + 1)).c_str(), nullptr) > 0;
    }
    return false;
}

namespace {
bool type_listed(const Settings& settings, std::string_view content_type) {
    const auto type = http::trim(content_type.substr(0, content_type.find(';')));
    if (http::equals_ignoring_case(type, "text/html")) return true;  // always, as nginx's
    for (const auto& listed : settings.gzip_types)
        if (listed == "*" || http::equals_ignoring_case(listed, type)) return true;
    return false;
}

// gzip_proxied: which answers to a request that came through another proxy may be compressed.
bool proxied_allowed(const Settings& settings, const http::HeaderList* headers) {
    const auto& allowed = settings.gzip_proxied;
    if (allowed.empty() || allowed.contains("off")) return false;
    if (allowed.contains("any")) return true;
    if (!headers) return false;
    const auto cache_control = headers->get_combined("Cache-Control").value_or("");
    const auto says = [&](std::string_view word) { return cache_control.find(word) != std::string::npos; };
    return (allowed.contains("expired") && headers->get("Expires")) ||
           (allowed.contains("no-cache") && says("no-cache")) || (allowed.contains("no-store") && says("no-store")) ||
           (allowed.contains("private") && says("private")) ||
           (allowed.contains("no_last_modified") && !headers->get("Last-Modified")) ||
           (allowed.contains("no_etag") && !headers->get("ETag"));
}
}  // namespace

GzipDecision decide_gzip(const Settings& settings, const http::Request& request, int status,
                         std::string_view content_type, std::optional<std::uint64_t> length,
                         const http::HeaderList* response_headers) {
    GzipDecision decision;
    if (!settings.gzip || (status != 200 && status != 403 && status != 404)) return decision;
    if (response_headers && response_headers->get("Content-Encoding")) return decision;
    if (length && *length < settings.gzip_min_length) return decision;
    if (!type_listed(settings, content_type)) return decision;
    decision.vary = settings.gzip_vary;
    const int version = request.version.major * 10 + request.version.minor;
    if (version < settings.gzip_http_version) return decision;
    if (request.headers.get("Via") && !proxied_allowed(settings, response_headers)) return decision;
    decision.compress = accepts_gzip(request.headers);
    return decision;
}

#ifdef WEBSTACK_HAVE_ZLIB

bool have_gzip() { return true; }

struct GzipStream::State {
    z_stream stream{};
};

GzipStream::GzipStream(int level, std::optional<std::uint64_t> length) : state_(std::make_unique<State>()) {
    // A window no larger than the body (down to 512 bytes), and a hash
    // table to match: setting up zlib for a 16 KiB page then costs a tenth
    // of its default 256 KiB (nginx's rule).
    int window_bits = 15, memory_level = 8;
    if (length) {
        while (*length < (std::uint64_t{1} << (window_bits - 1)) && window_bits > 9) {
            --window_bits;
            --memory_level;
        }
        if (memory_level < 1) memory_level = 1;
    }
    // windowBits + 16: a gzip header and trailer around the deflate data.
    if (deflateInit2(&state_->stream, level, Z_DEFLATED, window_bits + 16, memory_level, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2() failed");
}

GzipStream::~GzipStream() { deflateEnd(&state_->stream); }

std::string GzipStream::compress(std::string_view input, bool last) {
    auto& stream = state_->stream;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream.avail_in = static_cast<uInt>(input.size());
    std::string out;
    char buffer[16 * 1024];
    int status = Z_OK;
    do {
        stream.next_out = reinterpret_cast<Bytef*>(buffer);
        stream.avail_out = sizeof buffer;
        status = deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH);
        out.append(buffer, sizeof buffer - stream.avail_out);
    } while (stream.avail_out == 0 || (last && status != Z_STREAM_END));
    return out;
}

#else

bool have_gzip() { return false; }

struct GzipStream::State {};
GzipStream::GzipStream(int, std::optional<std::uint64_t>) { throw std::logic_error("built without zlib"); }
GzipStream::~GzipStream() = default;
std::string GzipStream::compress(std::string_view, bool) { return {}; }

#endif

std::string gzip_compress(std::string_view body, int level) {
    return GzipStream(level, body.size()).compress(body, true);
}

}  // namespace webstack::stage4
