#include "log/access_log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <unistd.h>

namespace webstack::log {

namespace {
std::string header_or_dash(const http::HeaderList* headers, std::string_view name) {
    if (!headers) return "-";
    auto value = headers->get(name);
    return value ? std::string(*value) : "-";
}

std::string atom(std::string_view name, const AccessRecord& record) {
    if (name.size() > 3 && name.front() == '{' && name[name.size() - 2] == '}') {
        const auto header = name.substr(1, name.size() - 3);
        return header_or_dash(name.back() == 'i' ? record.request_headers : record.response_headers, header);
    }
    if (name == "h") return record.remote_address.empty() ? "-" : record.remote_address;
    if (name == "l" || name == "u") return "-";
    if (name == "t") {
        const std::time_t now = std::time(nullptr);
        std::tm local{};
        localtime_r(&now, &local);
        return fmt::format("[{:%d/%b/%Y:%H:%M:%S %z}]", local);
    }
    if (name == "r") return record.request_line;
    if (name == "s") return std::to_string(record.status);
    if (name == "b") return record.body_bytes ? std::to_string(record.body_bytes) : "-";
    if (name == "B") return std::to_string(record.body_bytes);
    if (name == "f") return header_or_dash(record.request_headers, "Referer");
    if (name == "a") return header_or_dash(record.request_headers, "User-Agent");
    if (name == "T") return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(record.duration).count());
    if (name == "D") return std::to_string(record.duration.count());
    if (name == "M") return std::to_string(record.duration.count() / 1000);
    if (name == "p") return fmt::format("<{}>", ::getpid());
    return "-";
}
}  // namespace

std::string format_access_line(std::string_view format, const AccessRecord& record) {
    std::string line;
    while (!format.empty()) {
        const auto start = format.find("%(");
        const auto end = start == std::string_view::npos ? start : format.find(")s", start);
        if (end == std::string_view::npos) break;
        line += format.substr(0, start);
        line += atom(format.substr(start + 2, end - start - 2), record);
        format.remove_prefix(end + 2);
    }
    line += format;
    return line;
}

}  // namespace webstack::log
