#include "http/parse_error.hpp"

namespace webstack::http {

int default_status(ParseErrorKind kind) {
    switch (kind) {
        case ParseErrorKind::Malformed: return 400;
        case ParseErrorKind::BodyTooLarge: return 413;
        case ParseErrorKind::RequestLineTooLong: return 414;
        case ParseErrorKind::HeaderFieldsTooLarge: return 431;
        case ParseErrorKind::UnknownTransferCoding: return 501;
        case ParseErrorKind::BadTransferEncoding: return 400;
        case ParseErrorKind::UnsupportedVersion: return 505;
    }
    return 400;
}

std::string_view to_string(ParseErrorKind kind) {
    switch (kind) {
        case ParseErrorKind::Malformed: return "malformed";
        case ParseErrorKind::BodyTooLarge: return "body too large";
        case ParseErrorKind::RequestLineTooLong: return "request line too long";
        case ParseErrorKind::HeaderFieldsTooLarge: return "header fields too large";
        case ParseErrorKind::UnknownTransferCoding: return "unknown transfer coding";
        case ParseErrorKind::BadTransferEncoding: return "bad transfer encoding";
        case ParseErrorKind::UnsupportedVersion: return "unsupported HTTP version";
    }
    return "malformed";
}

}  // namespace webstack::http
