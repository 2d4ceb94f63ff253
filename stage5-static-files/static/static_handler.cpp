#include "static/static_handler.hpp"

#include "http/message_rules.hpp"
#include "http/serializer.hpp"
#include "http/target.hpp"
#include "log/log.hpp"
#include "proxy/access_logs.hpp"
#include "proxy/responses.hpp"
#include "proxy/rewrite.hpp"
#include "proxy/routing.hpp"
#include "static/autoindex.hpp"
#include "static/safe_open.hpp"
#include "proxy/gzip.hpp"
#include "static/send_file.hpp"
#include "static/uri_mapping.hpp"
#include "static/validators.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <unistd.h>

namespace webstack::stage5 {

namespace asio = boost::asio;
using stage4::answer;
using stage4::ClientSide;
using stage4::ContentRequest;
using stage4::error_page;
using stage4::Location;
using stage4::Outcome;
using stage4::RequestContext;
using stage4::Server;

namespace {

// nginx's statuses for a file it could not open.
int status_for_error(int error) {
    switch (error) {
        case ENOENT:
        case ENOTDIR:
        case ENAMETOOLONG:
        case EINVAL: return 404;
        case EACCES:
        case ELOOP:   // a symlink we may not follow
        case EMLINK:
        case EXDEV:   // the path would leave the root or alias
            return 403;
        default: return 500;
    }
}

void log_open_failure(const FilePath& path, int error, const RequestContext& context, const http::Request& request) {
    if (error == ENOENT && context.settings && !context.settings->log_not_found) return;  // log_not_found off
    const char* why = error == EXDEV ? "the path leaves the root or alias" : std::strerror(error);
    stage4::log_request_error(context, fmt::format("open() \"{}\" failed ({}: {}), client: {}, server: {}, request: \"{}\"",
                                                   path.full(), error, why, context.connection.remote_host,
                                                   context.server_name, http::request_line(request)));
}

// Expires and Cache-Control for `expires` (nothing for `expires off`), each
// handed to add(name, value).
template <typename Add>
void expires_fields(const Expires& expires, Add add) {
    using Kind = Expires::Kind;
    switch (expires.kind) {
        case Kind::Off: return;
        case Kind::Epoch:
            add("Expires", "Thu, 01 Jan 1970 00:00:01 GMT");
            add("Cache-Control", "no-cache");
            return;
        case Kind::Max:
            add("Expires", "Thu, 31 Dec 2037 23:55:55 GMT");
            add("Cache-Control", "max-age=315360000");
            return;
        case Kind::Seconds:
            add("Expires", http::format_http_date(std::chrono::system_clock::now() + expires.seconds));
            add("Cache-Control", expires.seconds.count() < 0 ? std::string("no-cache")
                                                           : "max-age=" + std::to_string(expires.seconds.count()));
            return;
    }
}

void add_expires(http::HeaderList& headers, const Expires& expires) {
    expires_fields(expires, [&](std::string_view name, std::string_view value) {
        headers.add(std::string(name), std::string(value));
    });
}

void add_expires(std::string& head, const Expires& expires) {
    expires_fields(expires, [&](std::string_view name, std::string_view value) { http::append_field(head, name, value); });
}

bool keep_alive_after(const ContentRequest& asked) {
    return asked.request.keep_alive;  // a body nobody read is discarded after the answer
}

// A file's answer, ready to go (200, 206, or a 304's head alone): its
// head, and what follows it.
struct FileReply {
    // What goes out after the head: pieces of the file, with text between them (multipart).
    struct Piece {
        std::string text;  // sent first
        ByteRange bytes;
        bool has_bytes = false;
    };
    std::string head;  // a small whole file's bytes are appended to it: one write
    FileDescriptor fd;
    std::vector<Piece> pieces;  // empty: the head is everything
    int status = 200;
    std::uint64_t body_bytes = 0;  // what the client gets after the head
    bool keep_alive = true;
    bool use_sendfile = true;
    int gzip_level = 0;  // `gzip on`: the whole file compressed on its way out, at this level; 0: as it is
    std::uint64_t gzip_length = 0;  // the file's size, for zlib's window
    bool chunked = false;  // the compressed body's framing (HTTP/1.1); else it ends at the close
};

// What the static module answers to one request. Deciding is done by plain
// functions, without I/O; StaticFiles::handle then sends it in one place.
// (A coroutine's frame holds every temporary alive at each co_await, and
// Asio recycles frames only up to 1 KiB: one place to await keeps it small.)
struct Reply {
    enum class Kind { Answer, Proxy, File } kind = Kind::Answer;
    http::Response response;                // Answer: a page of ours (an error, a redirect, a listing)
    const Location* location = nullptr;     // Proxy: where try_files sent the request
    std::optional<std::string> new_target;  // Proxy: the request's new target (nullopt: unchanged)
    FileReply file;                         // File
    std::optional<std::string> internal_redirect;  // Answer: serve this URI instead (an index file)

    static Reply page(http::Response response) {
        Reply reply;
        reply.response = std::move(response);
        return reply;
    }
};

FileValidators validators_of(const struct stat& info, const StaticSettings& settings) {
    return {info.st_mtime, settings.etag ? make_etag(info.st_mtime, static_cast<std::uint64_t>(info.st_size)) : ""};
}

// A 304: the validators, caching headers and Vary, but nothing that
// describes a body (nginx's rule).
Reply not_modified(const StaticSettings& settings, const FileValidators& validators, bool vary, bool keep_alive,
                   const RequestContext& context) {
    Reply reply;
    reply.kind = Reply::Kind::File;
    reply.file.status = 304;
    reply.file.keep_alive = keep_alive;
    auto& head = reply.file.head;
    head = http::start_response_head(304, "", stage4::server_header);
    if (vary) http::append_field(head, "Vary", "Accept-Encoding");
    http::append_field(head, "Last-Modified", format_last_modified(validators.mtime));
    if (!validators.etag.empty()) http::append_field(head, "ETag", validators.etag);
    add_expires(head, settings.expires);
    stage4::append_added_headers(head, 304, context);
    http::append_field(head, "Connection", keep_alive ? "keep-alive" : "close");
    head += "\r\n";
    return reply;
}

// A revalidation (the client has a copy and asks, with If-None-Match or
// If-Modified-Since, whether it changed) usually ends in a 304, which
// needs the file's date and size but none of its bytes. So such a request
// first only looks at the file (Access::Look, cheaper than opening it to
// read). Returns the validators for a 304 when that look is enough;
// nothing when the file must be opened the usual way (the answer is not a
// 304, or with gzip_static, where it may be the other file's).
std::optional<FileValidators> not_modified_at_a_look(const http::Request& request, const StaticSettings& settings,
                                                     const FilePath& path) {
    if (settings.gzip_static) return std::nullopt;
    if (!request.headers.contains("If-None-Match") && !request.headers.contains("If-Modified-Since")) return std::nullopt;
    const auto file = open_beneath(path.base, path.relative, settings.symlinks, Access::Look);
    if (!file.ok() || !file.is_regular() || !surely_readable(file.info)) return std::nullopt;
    auto validators = validators_of(file.info, settings);
    if (evaluate_preconditions(request.headers, validators, settings.if_modified_since) != Precondition::NotModified)
        return std::nullopt;
    return validators;
}

// gzip_static: a ready-made FILE.gz beside the file, for clients that take
// gzip. When the client does, `file` becomes the .gz copy.
struct GzipChoice {
    bool copy_exists = false;  // caches must then keep the two apart (Vary)
    bool chosen = false;       // the client gets the .gz copy
};

GzipChoice choose_gzip_copy(const http::Request& request, const StaticSettings& settings, const FilePath& path,
                            OpenedFile& file) {
    GzipChoice choice;
    if (!settings.gzip_static) return choice;
    auto compressed = open_beneath(path.base, path.relative + ".gz", settings.symlinks);
    choice.copy_exists = compressed.ok() && compressed.is_regular();
    if (choice.copy_exists && stage4::accepts_gzip(request.headers)) {
        file = std::move(compressed);
        choice.chosen = true;
    }
    return choice;
}

// The body's shape: the whole file, one range, or several ranges as one
// multipart/byteranges body, each part with a little head of its own (RFC
// 9110 section 14.6). Appends the pieces to send after the head.
struct BodyPlan {
    int status = 200;
    std::uint64_t length = 0;  // Content-Length
    std::string content_type;
    std::string content_range;  // one range only
};

BodyPlan plan_body(const RangeAnswer& ranges, std::uint64_t size, const std::string& type,
                   std::vector<FileReply::Piece>& pieces) {
    BodyPlan plan{200, 0, type, ""};
    if (ranges.kind == RangeAnswer::Kind::Whole) {
        if (size > 0) pieces.push_back({"", {0, size - 1}, true});
        plan.length = size;
        return plan;
    }
    plan.status = 206;
    if (ranges.ranges.size() == 1) {
        const auto& range = ranges.ranges.front();
        plan.content_range = fmt::format("bytes {}-{}/{}", range.first, range.last, size);
        pieces.push_back({"", range, true});
        plan.length = range.length();
        return plan;
    }
    static unsigned long long boundaries = 0;
    const auto boundary = fmt::format("{:020}", ++boundaries);
    plan.content_type = "multipart/byteranges; boundary=" + boundary;
    for (const auto& range : ranges.ranges) {
        pieces.push_back({fmt::format("\r\n--{}\r\nContent-Type: {}\r\nContent-Range: bytes {}-{}/{}\r\n\r\n",
                                      boundary, type, range.first, range.last, size),
                          range, true});
    }
    pieces.push_back({"\r\n--" + boundary + "--\r\n", {}, false});
    for (const auto& piece : pieces) plan.length += piece.text.size() + (piece.has_bytes ? piece.bytes.length() : 0);
    return plan;
}

// What the head says about the file besides its body.
struct FileFacts {
    FileValidators validators;
    GzipChoice gzip;
    bool vary = false;  // gzip_vary on, and a .gz copy exists
};

// The head, written field by field in nginx's order (so that the two can
// be compared line by line), the way the proxy writes the heads it passes
// on: no list of fields in between.
void write_file_head(FileReply& planned, const BodyPlan& body, const FileFacts& facts, const StaticSettings& settings,
                     const RequestContext& context) {
    auto& head = planned.head;
    head = http::start_response_head(context.status_override.value_or(body.status), "", stage4::server_header);
    http::append_field(head, "Content-Type", body.content_type);
    char digits[24];
    const auto digits_end = std::to_chars(digits, digits + sizeof digits, body.length).ptr;
    http::append_field(head, "Content-Length", std::string_view(digits, static_cast<std::size_t>(digits_end - digits)));
    http::append_field(head, "Last-Modified", format_last_modified(facts.validators.mtime));
    http::append_field(head, "Connection", planned.keep_alive ? "keep-alive" : "close");
    if (planned.keep_alive && context.settings && context.settings->keepalive_header)
        http::append_field(head, "Keep-Alive", "timeout=" + std::to_string(*context.settings->keepalive_header));
    if (facts.vary) http::append_field(head, "Vary", "Accept-Encoding");
    if (facts.gzip.chosen) http::append_field(head, "Content-Encoding", "gzip");
    if (!facts.validators.etag.empty()) http::append_field(head, "ETag", facts.validators.etag);
    if (!body.content_range.empty()) http::append_field(head, "Content-Range", body.content_range);
    add_expires(head, settings.expires);
    // "You may ask for parts": said with the whole file (nginx leaves it out of a 206).
    if (body.status == 200 && (!settings.max_ranges || *settings.max_ranges > 0))
        http::append_field(head, "Accept-Ranges", "bytes");
    stage4::append_added_headers(head, body.status, context);
    head += "\r\n";
}

// The head of a file the gzip filter compresses: no Content-Length (the
// length is known only at the end: chunked, or the close for HTTP/1.0),
// no Accept-Ranges, a weak ETag (the bytes differ, the meaning does not).
void write_gzip_head(FileReply& planned, const http::Request& request, const std::string& type, const FileFacts& facts,
                     const StaticSettings& settings, const RequestContext& context) {
    planned.chunked = request.version.major == 1 && request.version.minor >= 1;
    if (!planned.chunked) planned.keep_alive = false;
    auto& head = planned.head;
    head = http::start_response_head(context.status_override.value_or(200), "", stage4::server_header);
    http::append_field(head, "Content-Type", type);
    http::append_field(head, "Last-Modified", format_last_modified(facts.validators.mtime));
    if (planned.chunked) http::append_field(head, "Transfer-Encoding", "chunked");
    http::append_field(head, "Connection", planned.keep_alive ? "keep-alive" : "close");
    if (facts.vary) http::append_field(head, "Vary", "Accept-Encoding");
    if (!facts.validators.etag.empty())
        http::append_field(head, "ETag", facts.validators.etag.starts_with("W/") ? facts.validators.etag
                                                                                 : "W/" + facts.validators.etag);
    add_expires(head, settings.expires);
    stage4::append_added_headers(head, 200, context);
    http::append_field(head, "Content-Encoding", "gzip");
    head += "\r\n";
}

// A small whole file goes out with its head, in one write: reading a few
// kilobytes costs less than a second trip into the socket.
void inline_small_file(FileReply& planned, int fd) {
    constexpr std::uint64_t small_file = 16 * 1024;
    auto& pieces = planned.pieces;
    if (pieces.size() != 1 || !pieces.front().text.empty() || planned.body_bytes > small_file) return;
    auto& head = planned.head;
    const auto before = head.size();
    head.resize(before + planned.body_bytes);
    const auto got = ::pread(fd, head.data() + before, planned.body_bytes, static_cast<off_t>(pieces.front().bytes.first));
    if (got == static_cast<ssize_t>(planned.body_bytes)) pieces.clear();
    else head.resize(before);  // the file changed under us: the usual way
}

// The answer for one regular file, opened: validators, preconditions,
// ranges, then the head and the plan for the bytes. `name` gives the
// Content-Type (by its extension).
Reply file_reply(const ContentRequest& asked, const StaticSettings& settings, const FilePath& path, OpenedFile file,
                 const std::string& name) {
    const auto& request = asked.request;
    Reply reply;
    reply.kind = Reply::Kind::File;
    FileReply& planned = reply.file;
    planned.keep_alive = keep_alive_after(asked);
    planned.use_sendfile = settings.sendfile;

    FileFacts facts;
    facts.gzip = choose_gzip_copy(request, settings, path, file);
    const stage4::Settings& core = *asked.context.settings;  // the answering block's (a location or server was chosen)
    facts.vary = facts.gzip.copy_exists && core.gzip_vary;
    facts.validators = validators_of(file.info, settings);
    switch (evaluate_preconditions(request.headers, facts.validators, settings.if_modified_since)) {
        case Precondition::Failed: return Reply::page(error_page(412, planned.keep_alive));
        case Precondition::NotModified: return not_modified(settings, facts.validators, facts.vary, planned.keep_alive, asked.context);
        case Precondition::Proceed: break;
    }
    const auto size = static_cast<std::uint64_t>(file.info.st_size);
    const std::string type = stage4::with_charset(settings.type_of(name), &core);  // `charset utf-8`
    if (core.gzip && !facts.gzip.chosen) {
        // The gzip filter: the file compressed on its way out (no Range then, as nginx).
        const auto filter = stage4::decide_gzip(core, request, 200, type, size);
        facts.vary = facts.vary || filter.vary;
        if (filter.compress) {
            write_gzip_head(planned, request, type, facts, settings, asked.context);
            planned.gzip_level = request.method == "HEAD" ? 0 : core.gzip_comp_level;
            planned.gzip_length = size;
            if (request.method != "HEAD") planned.fd = std::move(file.fd);
            return reply;
        }
    }
    const auto ranges = evaluate_range(request.headers, size, facts.validators, settings.max_ranges);
    if (ranges.kind == RangeAnswer::Kind::Unsatisfiable) {
        auto page = error_page(416, planned.keep_alive);
        page.headers.add("Content-Range", "bytes */" + std::to_string(size));
        return Reply::page(std::move(page));
    }

    const auto body = plan_body(ranges, size, type, planned.pieces);
    planned.status = body.status;
    write_file_head(planned, body, facts, settings, asked.context);
    if (request.method == "HEAD") {
        planned.pieces.clear();
        return reply;
    }
    planned.body_bytes = body.length;
    inline_small_file(planned, file.fd.get());
    planned.fd = std::move(file.fd);
    return reply;
}

// Sends a planned file response whose head is followed by pieces: the
// head, then each piece.
// The gzip filter's way: the file read a piece at a time, each piece
// compressed and sent (as a chunk for HTTP/1.1), then the gzip trailer.
// A small file goes out in one write, head and all.
asio::awaitable<Outcome> send_gzipped_file(ClientSide client, const FileReply& reply) {
    // The worker's one read buffer: nothing awaits between a read into it
    // and the compression of what was read, so the connections share it.
    static std::string piece(64 * 1024, '\0');
    constexpr std::size_t write_at = 64 * 1024;
    std::uint64_t body_bytes = 0;
    stage4::GzipStream gzip(reply.gzip_level, reply.gzip_length);
    std::string out = reply.head;
    net::IoResult sent{net::IoStatus::Ok, {}};
    for (off_t offset = 0; sent.ok();) {
        const auto got = ::pread(reply.fd.get(), piece.data(), piece.size(), offset);
        if (got < 0) {
            sent = {net::IoStatus::Failed, {}};
            break;
        }
        offset += got;
        const bool last = got == 0 || static_cast<std::uint64_t>(offset) >= reply.gzip_length;
        const std::string compressed = gzip.compress(std::string_view(piece).substr(0, static_cast<std::size_t>(got)), last);
        body_bytes += compressed.size();
        if (reply.chunked) {
            http::append_chunk(out, compressed);
            if (last) out += http::serialize_last_chunk();
        } else {
            out += compressed;
        }
        if (last || out.size() >= write_at) {
            sent = co_await net::write_all_for(client.socket, out, client.send_timeout);
            out.clear();
        }
        if (last) break;
    }
    co_return Outcome{reply.status, static_cast<std::size_t>(body_bytes), sent.ok() && reply.keep_alive};
}

asio::awaitable<Outcome> send_file_reply(ClientSide client, const FileReply& reply) {
    if (reply.gzip_level > 0) co_return co_await send_gzipped_file(client, reply);
    auto sent = co_await send_head(client.socket, reply.head, true, client.send_timeout);
    std::uint64_t body_bytes = 0;
    for (const auto& piece : reply.pieces) {
        if (!sent.ok()) break;
        if (!piece.text.empty()) {
            sent = co_await net::write_all_for(client.socket, piece.text, client.send_timeout);
            if (!sent.ok()) break;
            body_bytes += piece.text.size();
        }
        if (!piece.has_bytes) continue;
        sent = co_await send_file_range(client.socket, {reply.fd.get(), piece.bytes.first, piece.bytes.length()},
                                        reply.use_sendfile, client.send_timeout);
        if (sent.ok()) body_bytes += piece.bytes.length();
    }
    // A client that went away mid-file costs its connection, nothing more.
    co_return Outcome{reply.status, static_cast<std::size_t>(body_bytes), sent.ok() && reply.keep_alive};
}

}  // namespace

StaticFiles::StaticFiles(const stage4::Config& config) {
    for (const auto& server : config.servers) {
        for (const auto& location : server.locations) {
            // A try_files that ends in a named location must find it.
            const auto& try_files = static_settings(location.settings).try_files;
            if (!try_files.empty() && try_files.back().starts_with('@') &&
                !stage4::find_named_location(server, try_files.back()))
                throw ConfigError("try_files names the location \"" + try_files.back() + "\", which this server lacks",
                                  location.where);
        }
    }
}

const StaticSettings& StaticFiles::settings_for(const Server& server, const Location* location) const {
    return static_settings(location ? location->settings : server.settings);
}

namespace {

http::Response method_not_allowed() {
    auto page = error_page(405, true);
    page.headers.add("Allow", "GET, HEAD");
    return page;
}

// try_files: the first candidate that exists ("$uri", "$uri.html", "$uri/"
// for a folder), as a URI; nothing when none does.
std::optional<std::string> first_existing(const StaticSettings& settings, const Location* location,
                                          const std::string& uri, const RequestContext& context) {
    for (std::size_t i = 0; i + 1 < settings.try_files.size(); ++i) {
        std::string candidate = settings.try_files[i];
        for (auto at = candidate.find("$uri"); at != std::string::npos; at = candidate.find("$uri", at + uri.size()))
            candidate.replace(at, 4, uri);
        candidate = stage4::expand_variables(candidate, context);
        if (!candidate.starts_with('/')) candidate.insert(0, "/");
        const auto path = map_uri(settings, location, candidate);
        if (path.refused) continue;
        const auto opened = open_beneath(path.base, path.relative, settings.symlinks);
        if (opened.ok() && opened.is_directory() == candidate.ends_with('/')) return candidate;
    }
    return std::nullopt;
}

// A folder asked without its "/": 301 to add it, so that its relative
// links work (made absolute by answer(), as every redirect of ours).
http::Response redirect_to_folder(const std::string& uri, const std::string& query, const StaticSettings& settings) {
    const std::string to = http::percent_encode(uri, http::unsafe_in_uri) + "/" + (query.empty() ? "" : "?" + query);
    auto page = error_page(301, true);
    page.headers.add("Location", to);
    add_expires(page.headers, settings.expires);
    return page;
}

// A folder asked with its "/": its index file, else a listing
// (autoindex on), else 403.
Reply folder_reply(const ContentRequest& asked, const StaticSettings& settings, const FilePath& path,
                   const OpenedFile& folder, const std::string& uri) {
    const auto& request = asked.request;
    const bool get_or_head = request.method == "GET" || request.method == "HEAD";
    // nginx's index module: the first index file that exists is served by
    // an internal redirect to its URI (so $uri is ".../index.html", and
    // that URI's own location answers); a name with "/" first is a URI
    // taken without looking.
    for (const auto& written : settings.index) {
        const std::string name = stage4::expand_variables(written, asked.context);
        Reply redirect;
        if (name.starts_with('/')) {
            redirect.internal_redirect = name;
            return redirect;
        }
        FilePath index{path.base, path.relative + (path.relative.empty() ? "" : "/") + name};
        auto file = open_beneath(index.base, index.relative, settings.symlinks);
        if (!file.ok() || file.is_directory()) continue;
        redirect.internal_redirect = uri + name;
        return redirect;
    }
    if (settings.autoindex && get_or_head) {
        const auto* core = asked.context.settings;
        AutoindexOptions options{.format = settings.autoindex_format,
                                 .exact_size = settings.autoindex_exact_size,
                                 .localtime = settings.autoindex_localtime,
                                 .utf8 = core && http::equals_ignoring_case(core->charset, "utf-8"),
                                 .callback = {}};
        if (options.format == AutoindexFormat::Jsonp) {
            const auto callback = http::percent_decode(stage4::variable_value("arg_callback", asked.context).value_or(""));
            if (!callback || !is_valid_callback(*callback)) {
                log::error("client sent invalid callback, client: {}", asked.context.connection.remote_host);
                return Reply::page(error_page(400, false));
            }
            options.callback = *callback;
        }
        auto page = autoindex_page(folder.fd.get(), uri, options);
        if (!page) return Reply::page(error_page(403, true));
        http::Response listing;
        listing.body = std::move(page->body);
        listing.headers.add("Content-Type", page->content_type);
        return Reply::page(std::move(listing));
    }
    std::string shown = path.full();
    if (!shown.ends_with('/')) shown += '/';
    log::write(log::Level::Error,
               fmt::format("directory index of \"{}\" is forbidden, client: {}", shown,
                           asked.context.connection.remote_host));
    return Reply::page(error_page(403, true));
}

// Where a request is looked for: its URI and query (try_files may change
// them), and the location whose settings apply.
struct Lookup {
    std::string uri;
    std::string query;
    const Location* location;
};

// try_files found none of its files: the fallback decides. =404: that
// status; @name: a named location (often the application); another URI:
// its own location decides, as if the client had asked for it. Returns
// the reply when that settles it; nothing when the lookup goes on (in
// `lookup`, now another URI or location).
std::optional<Reply> follow_fallback(const StaticSettings& settings, const Server& server, Lookup& lookup,
                                     RequestContext& context) {
    const std::string fallback = stage4::expand_variables(settings.try_files.back(), context);
    if (fallback.starts_with('=')) return Reply::page(error_page(std::stoi(fallback.substr(1)), true));
    if (fallback.starts_with('@')) {
        lookup.location = stage4::find_named_location(server, fallback);
    } else {
        const auto question = fallback.find('?');
        lookup.uri = fallback.substr(0, question);
        if (question != std::string::npos) lookup.query = fallback.substr(question + 1);
        lookup.location = stage4::choose_location(server, lookup.uri);
    }
    if (lookup.location && lookup.location->proxy_pass) {
        Reply reply;
        reply.kind = Reply::Kind::Proxy;
        reply.location = lookup.location;
        if (!fallback.starts_with('@'))  // a named location passes the original target
            reply.new_target = http::percent_encode(lookup.uri) + (lookup.query.empty() ? "" : "?" + lookup.query);
        return reply;
    }
    if (lookup.location && !lookup.location->rewrites.empty()) {
        // Its rewrite statements answer (return, a redirect), or change nothing here.
        http::Request internal = *context.request;
        internal.target = http::percent_encode(lookup.uri) + (lookup.query.empty() ? "" : "?" + lookup.query);
        auto outcome = stage4::run_rewrites(lookup.location->rewrites, internal, context);
        if (outcome.kind == stage4::RewriteOutcome::Kind::Answer) return Reply::page(std::move(outcome.response));
        if (outcome.kind == stage4::RewriteOutcome::Kind::Close) return Reply::page(error_page(444, false));
    }
    return std::nullopt;
}

// The static module's answer for a URI: the file, a folder's index or
// listing, a redirect to add a folder's "/", or an error.
Reply serve_uri(const ContentRequest& asked, const StaticSettings& settings, const Lookup& lookup) {
    const auto& request = asked.request;
    auto& context = asked.context;
    const auto& uri = lookup.uri;
    // nginx's static module serves GET and HEAD; POST looks for the file, then gets 405.
    const bool get_or_head = request.method == "GET" || request.method == "HEAD";
    if (!get_or_head && request.method != "POST") return Reply::page(method_not_allowed());
    const auto path = map_uri(settings, lookup.location, uri);
    if (path.refused) return Reply::page(error_page(404, true));
    if (get_or_head && !uri.ends_with('/'))
        if (const auto validators = not_modified_at_a_look(request, settings, path))
            return not_modified(settings, *validators, false, keep_alive_after(asked), asked.context);
    if (uri.ends_with('/') && !settings.index.empty()) {
        // `index /page.html`: a URI, taken without looking at the folder.
        std::string first = stage4::expand_variables(settings.index.front(), context);
        if (first.starts_with('/')) {
            Reply redirect;
            redirect.internal_redirect = std::move(first);
            return redirect;
        }
    }
    auto file = open_beneath(path.base, path.relative, settings.symlinks);
    if (!file.ok()) {
        log_open_failure(path, file.error, context, request);
        return Reply::page(error_page(status_for_error(file.error), true));
    }
    if (file.is_directory()) {
        if (!uri.ends_with('/')) return Reply::page(redirect_to_folder(uri, lookup.query, settings));
        return folder_reply(asked, settings, path, file, uri);
    }
    // "file.txt/" names no folder; a FIFO or a device is no file to send.
    if (uri.ends_with('/') || !file.is_regular()) return Reply::page(error_page(404, true));
    if (!get_or_head) return Reply::page(method_not_allowed());
    return file_reply(asked, settings, path, std::move(file), uri);
}

// An index file found: its URI is looked up anew (its own location, which
// may proxy). Returns the reply when that settles it; nothing when the
// lookup goes on with the new URI.
std::optional<Reply> follow_internal_redirect(const ContentRequest& asked, Lookup& lookup, const std::string& uri) {
    lookup.uri = uri;
    asked.context.internal_uri = uri;
    lookup.location = stage4::choose_location(asked.server, uri);
    if (lookup.location) {
        asked.context.settings = &lookup.location->settings;
        asked.context.access_log = &lookup.location->settings.access_log;
    }
    if (lookup.location && lookup.location->proxy_pass) {
        Reply reply;
        reply.kind = Reply::Kind::Proxy;
        reply.location = lookup.location;
        reply.new_target = http::percent_encode(uri) + (lookup.query.empty() ? "" : "?" + lookup.query);
        return reply;
    }
    return std::nullopt;
}

// What a request for `target` gets, from the files of `server` and `location`.
Reply decide(const StaticFiles& files, const ContentRequest& asked) {
    auto& context = asked.context;
    Lookup lookup{asked.target.path, asked.target.query, asked.location};
    // try_files may send the request elsewhere; nginx gives up after 10 such jumps.
    for (int jumps = 0; jumps < 10; ++jumps) {
        const StaticSettings& settings = files.settings_for(asked.server, lookup.location);
        if (lookup.location) context.access_log = &lookup.location->settings.access_log;
        if (settings.try_files.empty()) {
            auto reply = serve_uri(asked, settings, lookup);
            if (!reply.internal_redirect) return reply;
            if (auto redirected = follow_internal_redirect(asked, lookup, *reply.internal_redirect)) return std::move(*redirected);
            continue;
        }
        if (const auto found = first_existing(settings, lookup.location, lookup.uri, context)) {
            lookup.uri = *found;
            context.internal_uri = lookup.uri;
            if (auto reply = serve_uri(asked, settings, lookup); !reply.internal_redirect) return reply;
            else if (auto redirected = follow_internal_redirect(asked, lookup, *reply.internal_redirect)) return std::move(*redirected);
            continue;
        }
        if (auto settled = follow_fallback(settings, asked.server, lookup, context)) return std::move(*settled);
    }
    log::write(log::Level::Error, "rewrite or internal redirection cycle while processing \"" + lookup.uri + "\"");
    return Reply::page(error_page(500, true));
}

// try_files sent the request to a proxied location under another URI.
// (The copy of the request lives in this coroutine's frame, not handle's.)
asio::awaitable<Outcome> proxy_with_target(const ContentRequest& asked, const std::string& target,
                                           const Location& location) {
    http::Request passed = asked.request;
    passed.target = target;
    co_return co_await stage4::proxy_request({asked.client, passed, asked.context, location, asked.upstreams});
}

}  // namespace

asio::awaitable<Outcome> StaticFiles::handle(const ContentRequest& asked) const {
    Reply reply = decide(*this, asked);
    switch (reply.kind) {
        case Reply::Kind::Proxy:
            if (reply.new_target)
                co_return co_await proxy_with_target(asked, *reply.new_target, *reply.location);
            co_return co_await stage4::proxy_request(
                {asked.client, asked.request, asked.context, *reply.location, asked.upstreams});
        case Reply::Kind::File:
            stage4::remember_sent_head(asked.context, reply.file.head);
            if (reply.file.pieces.empty() && reply.file.gzip_level == 0) {  // one write: a 304, a HEAD, an empty file, or a small file after its head
                const auto written = co_await net::write_all_for(asked.client.socket, reply.file.head, asked.client.send_timeout);
                const auto body_bytes = written.ok() ? reply.file.body_bytes : 0;
                co_return Outcome{reply.file.status, static_cast<std::size_t>(body_bytes),
                                  written.ok() && reply.file.keep_alive};
            }
            co_return co_await send_file_reply(asked.client, reply.file);
        case Reply::Kind::Answer: break;
    }
    co_return co_await answer(asked.client, std::move(reply.response), asked.request);
}

stage4::Module static_files_module() {
    return {static_language(),
            [](const stage4::Config& config) { return std::make_shared<const StaticFiles>(config); },
            true};
}

}  // namespace webstack::stage5
