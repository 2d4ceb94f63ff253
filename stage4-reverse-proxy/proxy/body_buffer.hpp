// Where a proxy keeps a body it has read but not passed on yet: the first
// bytes in memory (nginx's proxy_buffers, client_body_buffer_size), the
// rest in a temporary file, so a large upload or download costs disk, not
// memory. The file has no name (it is unlinked at once): it disappears with
// the buffer, even if the process dies. A request body's file is named, as
// nginx's is ($request_body_file), and holds the whole body once it
// overflows memory; it is removed with the buffer, or kept (nginx's
// client_body_in_file_only on).
//
// Bytes come out in the order they went in; reading and appending may
// alternate (one coroutine fills it from the upstream while another drains
// it to a slow client).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace webstack::stage4 {

class BodyBuffer {
public:
    // `folder`: where the temporary file goes (client_body_temp_path,
    // proxy_temp_path); empty: the system's temporary folder.
    enum class File { Anonymous, Named, Kept };
    explicit BodyBuffer(std::size_t memory_limit, std::string folder = {}, File file = File::Anonymous);
    ~BodyBuffer();
    BodyBuffer(const BodyBuffer&) = delete;
    BodyBuffer& operator=(const BodyBuffer&) = delete;

    // Adds bytes at the end. False if the temporary file could not be written.
    bool append(std::string_view bytes);
    // Moves up to `max` unread bytes into `out` (replacing its contents);
    // false when nothing is unread now.
    bool read_next(std::string& out, std::size_t max);

    // Reads from the start again (to send the same request body to another try).
    void rewind() { read_ = 0; }

    std::size_t size() const { return memory_.size() + file_size_; }
    // The whole body, when it fits in memory (nothing went to the file).
    std::optional<std::string_view> whole_in_memory() const {
        if (file_ >= 0) return std::nullopt;
        return std::string_view(memory_);
    }
    std::size_t unread() const { return size() - read_; }
    // The file's name (Named, Kept), once there is a file; else "".
    const std::string& path() const { return path_; }

private:
    std::size_t memory_limit_;
    std::string folder_;
    std::string memory_;      // the first bytes
    File kind_;
    std::string path_;
    int file_ = -1;           // the rest, once memory is full (Named, Kept: all of it)
    std::size_t file_size_ = 0;
    std::size_t read_ = 0;    // bytes handed out so far
};

}  // namespace webstack::stage4
