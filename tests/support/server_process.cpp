#include "server_process.hpp"

#include "catch.hpp"

#include <csignal>
#include <fcntl.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace webstack::testing {

namespace {
// Starts a child with stdout and stderr on the write end of a pipe, and
// returns the read end. The child dies with the test process (PDEATHSIG),
// so a crashed test leaves no server behind.
pid_t spawn(const std::string& executable, const std::vector<std::string>& arguments, int& read_fd) {
    std::vector<std::string> argv_storage{executable};
    argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : argv_storage) argv.push_back(argument.data());
    argv.push_back(nullptr);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid == 0) {
        // Its own process group, so that the test can stop a master and
        // all the workers it forked with one kill().
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(fds[1], STDOUT_FILENO);
        ::dup2(fds[1], STDERR_FILENO);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    read_fd = fds[0];
    return pid;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}
}  // namespace

std::string binary(const std::string& name) { return std::string(WEBSTACK_BIN_DIR) + "/" + name; }

ServerProcess::ServerProcess(std::string executable, std::vector<std::string> arguments)
    : executable_(std::move(executable)), arguments_(std::move(arguments)) {
    int read_fd = -1;
    pid_ = spawn(executable_, arguments_, read_fd);
    reader_ = std::thread([this, read_fd] { collect_output(read_fd); });
}

ServerProcess::~ServerProcess() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait_for_exit(5s);
    }
    ::kill(-pid_, SIGKILL);  // anything it started (a master's workers) goes too
    if (reader_.joinable()) reader_.join();
}

void ServerProcess::collect_output(int fd) {
    char chunk[4096];
    while (true) {
        const auto count = ::read(fd, chunk, sizeof chunk);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) break;
        std::lock_guard lock(mutex_);
        output_.append(chunk, static_cast<std::size_t>(count));
        output_changed_.notify_all();
    }
    ::close(fd);
    std::lock_guard lock(mutex_);
    output_closed_ = true;
    output_changed_.notify_all();
}

bool ServerProcess::wait_for_output_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return output_changed_.wait_for(lock, timeout, [this] { return output_closed_; });
}

std::optional<std::vector<std::string>> ServerProcess::wait_for_output(const std::string& pattern,
                                                                       std::chrono::milliseconds timeout) {
    // Line by line, and each line once: a busy server logs a line per
    // request, and searching the whole log again on every new chunk (with
    // the lock held, so the log cannot grow) would fall behind it, fill the
    // pipe and stall the very server the test waits for.
    const std::regex expression(pattern);
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t scanned = 0;
    while (true) {
        for (auto end = output_.find('\n', scanned);; end = output_.find('\n', scanned)) {
            const bool last = end == std::string::npos;
            const auto line_end = output_.cbegin() + static_cast<std::ptrdiff_t>(last ? output_.size() : end);
            std::smatch match;
            if (std::regex_search(output_.cbegin() + static_cast<std::ptrdiff_t>(scanned), line_end, match,
                                  expression)) {
                std::vector<std::string> groups;
                for (const auto& group : match) groups.push_back(group.str());
                return groups;
            }
            if (last) break;  // an unfinished line: look at it again once it grows
            scanned = end + 1;
        }
        if (output_changed_.wait_until(lock, deadline) == std::cv_status::timeout) return std::nullopt;
    }
}

bool ServerProcess::wait_for_occurrences(const std::string& text, int count, std::chrono::milliseconds timeout) {
    int found = 0;
    std::size_t scanned = 0;
    const auto enough = [&] {
        for (auto at = output_.find(text, scanned); at != std::string::npos; at = output_.find(text, scanned)) {
            ++found;
            scanned = at + text.size();
        }
        return found >= count;
    };
    std::unique_lock lock(mutex_);
    return output_changed_.wait_for(lock, timeout, enough);
}

int ServerProcess::port() {
    const auto match = wait_for_output(R"(Listening at: https?://[^\s]*:(\d+))");
    INFO("started: " << command_line() << "\noutput so far:\n" << output());
    REQUIRE(match);
    return std::stoi((*match)[1]);
}

void ServerProcess::send_signal(int signal_number) {
    if (running()) ::kill(pid_, signal_number);
}

std::optional<int> ServerProcess::wait_for_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_status_) {
        int status = 0;
        const pid_t result = ::waitpid(pid_, &status, WNOHANG);
        if (result == pid_) {
            exit_status_ = decode_status(status);
            // Its last lines may still be in the pipe: let the reader
            // take them, so output() has all it printed (briefly: a
            // child it left behind may hold the pipe open).
            wait_for_output_closed(500ms);
            break;
        }
        if (result < 0 || std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(5ms);
    }
    return exit_status_;
}

bool ServerProcess::running() { return !exit_status_ && !wait_for_exit(0ms); }

std::string ServerProcess::output() const {
    std::lock_guard lock(mutex_);
    return output_;
}

std::string ServerProcess::command_line() const {
    std::string line = executable_;
    for (const auto& argument : arguments_) line += " " + argument;
    return line;
}

CommandResult run_command(const std::vector<std::string>& command, std::chrono::milliseconds timeout) {
    ServerProcess process(command.front(), {command.begin() + 1, command.end()});
    CommandResult result;
    const auto status = process.wait_for_exit(timeout);
    result.exit_status = status.value_or(-1);
    if (!status) process.send_signal(SIGKILL);
    process.wait_for_exit(2s);
    process.wait_for_output_closed(2s);
    result.output = process.output();
    return result;
}

int free_port() {
    const int probe = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(probe);
    return ntohs(address.sin_port);
}

void skip_unless_installed(const std::string& tool) {
    const std::string check = "command -v " + tool + " >/dev/null 2>&1";
    if (std::system(check.c_str()) != 0) {
        std::cout << "SKIPPED: " << tool << " is not installed (scripts/install-deps installs it)" << std::endl;
        std::exit(77);
    }
}

std::set<int> children_of(int parent) {
    std::set<int> children;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string pid, command, state;
        int ppid = 0;
        stat >> pid >> command >> state >> ppid;
        if (ppid == parent) children.insert(std::stoi(pid));
    }
    return children;
}

std::string nginx_binary() {
    for (const char* candidate : {"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"}) {
        if (::access(candidate, X_OK) == 0) return candidate;
    }
    std::cout << "SKIPPED: nginx is not installed (scripts/install-deps installs nginx-light)" << std::endl;
    std::exit(77);
}

}  // namespace webstack::testing
