// stage5-static-files: stage 4's proxy, plus files served straight from
// disk. The command line, the config language, the master and its workers
// are stage 4's (proxy/command.cpp); this stage adds one module: the
// directives root, alias, index, try_files, autoindex, types, ... and the
// handler that answers the locations that use them (static/).
//
//   stage5-static-files [-c FILE] [-t] [-s reload|reopen|quit|stop]
#include "proxy/command.hpp"
#include "static/static_handler.hpp"

int main(int argc, char** argv) {
    return webstack::stage4::run_command(
        argc, argv,
        {"stage5-static-files",
         "A reverse proxy configured like nginx that also serves files from disk: locations with\n"
         "proxy_pass go to the application servers, locations with root or alias are answered\n"
         "from their folder.",
         webstack::stage5::static_files_module()});
}
