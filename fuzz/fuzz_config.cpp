// libFuzzer target: the nginx config reader, with stage 5's directives.
// Property: any text is either a config or one ConfigError, never a crash.
#include "config/config.hpp"
#include "static/settings.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto folder = std::filesystem::temp_directory_path() / ("webstack-fuzz-config-" + std::to_string(::getpid()));
    static const auto language = webstack::stage5::static_language();
    std::filesystem::create_directories(folder);
    const auto file = folder / "nginx.conf";
    std::ofstream(file, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    try {
        webstack::stage4::load_config(file, &language);
    } catch (const webstack::stage4::ConfigError&) {
        // the expected answer to a bad config
    }
    return 0;
}
