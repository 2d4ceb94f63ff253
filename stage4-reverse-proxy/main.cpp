// stage4-reverse-proxy: the front of the stack, like nginx. It reads an
// nginx.conf and forwards each request to the application server its
// `location` names.
//
//   stage4-reverse-proxy [-c FILE] [-t] [-s reload|reopen|quit|stop]
//
// Like nginx, a master process binds the listening sockets and forks
// `worker_processes` workers that serve (stage 3's arbiter, in nginx's
// dialect of signals); the master only watches them and handles signals.
// All of it is in proxy/command.cpp, which stage 5 reuses.
#include "proxy/command.hpp"

int main(int argc, char** argv) {
    return webstack::stage4::run_command(
        argc, argv,
        {"stage4-reverse-proxy",
         "A reverse proxy configured like nginx: it reads nginx.conf and passes requests on to the\n"
         "application servers its locations name.",
         {}});
}
