#include "proxy/body_buffer.hpp"

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace webstack::stage4 {

namespace {
// An anonymous file in `folder` (the system's temporary folder when
// empty): O_TMPFILE where the file system has it, else a named file
// unlinked at once.
int anonymous_file(std::string folder) {
    if (folder.empty()) folder = std::filesystem::temp_directory_path().string();
    const int fd = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    std::string name = folder + "/webstack-proxy-XXXXXX";
    const int named = ::mkostemp(name.data(), O_CLOEXEC);
    if (named >= 0) ::unlink(name.c_str());
    return named;
}
}  // namespace

BodyBuffer::BodyBuffer(std::size_t memory_limit, std::string folder, File file)
    : memory_limit_(memory_limit), folder_(std::move(folder)), kind_(file) {}

BodyBuffer::~BodyBuffer() {
    if (file_ >= 0) ::close(file_);
    if (kind_ == File::Named && !path_.empty()) ::unlink(path_.c_str());
}

bool BodyBuffer::append(std::string_view bytes) {
    const auto to_memory = std::min(bytes.size(), memory_limit_ - std::min(memory_limit_, memory_.size()));
    memory_.append(bytes.substr(0, to_memory));
    bytes.remove_prefix(to_memory);
    if (bytes.empty()) return true;
    if (file_ < 0 && kind_ != File::Anonymous) {
        // A named file, with the whole body: what memory held goes first.
        path_ = (folder_.empty() ? std::filesystem::temp_directory_path().string() : folder_) + "/webstack-body-XXXXXX";
        if ((file_ = ::mkostemp(path_.data(), O_CLOEXEC)) < 0) {
            path_.clear();
            return false;
        }
        std::string all = std::move(memory_);
        memory_.clear();
        memory_limit_ = 0;
        all.append(bytes);
        return append(all);
    }
    if (file_ < 0 && (file_ = anonymous_file(folder_)) < 0) return false;
    while (!bytes.empty()) {
        const auto written = ::pwrite(file_, bytes.data(), bytes.size(), static_cast<off_t>(file_size_));
        if (written <= 0) return false;
        file_size_ += static_cast<std::size_t>(written);
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
}

bool BodyBuffer::read_next(std::string& out, std::size_t max) {
    out.clear();
    if (unread() == 0) return false;
    if (read_ < memory_.size()) {
        const auto count = std::min(max, memory_.size() - read_);
        out.assign(memory_, read_, count);
        read_ += count;
        return true;
    }
    const auto offset = read_ - memory_.size();
    out.resize(std::min(max, file_size_ - offset));
    const auto got = ::pread(file_, out.data(), out.size(), static_cast<off_t>(offset));
    if (got <= 0) {
        out.clear();
        return false;
    }
    out.resize(static_cast<std::size_t>(got));
    read_ += out.size();
    return true;
}

}  // namespace webstack::stage4
