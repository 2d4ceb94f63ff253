#include "exhaustion.hpp"

#include "catch.hpp"
#include "raw_client.hpp"

#include <dirent.h>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace webstack::testing {

std::vector<std::string> with_open_file_limit(int limit, const std::string& executable,
                                              std::vector<std::string> arguments) {
    const auto value = std::to_string(limit);
    std::vector<std::string> command{"--nofile=" + value + ":" + value, "--", executable};
    command.insert(command.end(), arguments.begin(), arguments.end());
    return command;  // arguments of "prlimit"
}

double group_cpu_seconds(pid_t group) {
    double ticks = 0;
    DIR* proc = ::opendir("/proc");
    if (!proc) return 0;
    while (const dirent* entry = ::readdir(proc)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        std::ifstream stat_file(std::string("/proc/") + entry->d_name + "/stat");
        std::string stat((std::istreambuf_iterator<char>(stat_file)), {});
        const auto after_name = stat.rfind(')');  // the name may hold spaces
        if (after_name == std::string::npos) continue;
        std::istringstream fields(stat.substr(after_name + 2));
        std::string field;
        std::vector<std::string> values;
        while (fields >> field) values.push_back(field);
        // Fields from the state on: state(3) ppid(4) pgrp(5) ... utime(14) stime(15).
        if (values.size() < 13 || std::stol(values[2]) != group) continue;
        ticks += std::stod(values[11]) + std::stod(values[12]);
    }
    ::closedir(proc);
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

namespace {
int status_of(RawClient& client, const std::string& request) {
    const auto response = client.exchange(request, 5s);
    return response ? response->status : 0;
}
}  // namespace

Exhaustion exhaust_descriptors(int port, pid_t group, int connections, const std::string& request,
                               const std::function<void()>& while_full) {
    std::vector<RawClient> held;
    for (int i = 0; i < connections; ++i) {
        if (auto client = RawClient::try_connect(port)) held.push_back(std::move(*client));
    }
    std::this_thread::sleep_for(300ms);  // the server accepts what it can, then fails
    Exhaustion result;
    const double before = group_cpu_seconds(group);
    std::this_thread::sleep_for(2s);
    result.cpu_seconds = group_cpu_seconds(group) - before;
    if (!held.empty()) result.status_while_full = status_of(held.front(), request);
    if (while_full) while_full();
    held.clear();  // descriptors free again: the queued clients are accepted
    std::this_thread::sleep_for(1s);
    if (auto fresh = RawClient::try_connect(port)) result.status_after = status_of(*fresh, request);
    return result;
}

void check_survives_descriptor_exhaustion(ServerProcess& server, const std::string& log_line) {
    int lines_while_full = 0;
    const auto result = exhaust_descriptors(server.port(), server.pid(), 60, get("/"),
                                            [&] { lines_while_full = occurrences(server.output(), log_line); });
    INFO(server.output());
    CHECK(result.cpu_seconds < 0.5);
    CHECK(result.status_while_full == 200);
    CHECK(result.status_after == 200);
    CHECK(lines_while_full == 1);                          // one burst, one line, in 2 s of retries
    CHECK(occurrences(server.output(), log_line) <= 4);   // and a few short bursts while recovering
}

int occurrences(const std::string& output, const std::string& text) {
    int count = 0;
    for (auto at = output.find(text); at != std::string::npos; at = output.find(text, at + text.size())) ++count;
    return count;
}

}  // namespace webstack::testing
