/*
 * site_bench.c — the bare FastCGI hello the site benchmark compares the status endpoint
 * with: the same libfcgi accept loop as trackport-fcgi, spawned by the same lighttpd the
 * same way (bin-path, unix socket), answering a fixed small JSON with no routing, no
 * database and no memcached. Built and run by site_bench.py; not part of the product.
 */
#include <fcgiapp.h>

static const char hello_answer[] = "Status: 200 OK\r\n"
                                   "Content-Type: application/json\r\n"
                                   "Cache-Control: no-store\r\n"
                                   "Content-Length: 15\r\n"
                                   "\r\n"
                                   "{\"hello\":true}\n";

int main(void)
{
    FCGX_Request request;
    if (FCGX_Init() != 0 || FCGX_InitRequest(&request, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(hello_answer, (int)sizeof hello_answer - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}
