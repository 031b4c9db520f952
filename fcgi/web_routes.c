/* web_routes.c — the route table (see web_routes.h). Adding an endpoint is adding a row. */
#include "web_routes.h"

#include "handlers/web_admin.h"
#include "handlers/web_api.h"
#include "handlers/web_jobs.h"
#include "handlers/web_metrics.h"
#include "handlers/web_upload.h"

static const struct web_route routes_table[] = {
    {WEB_POST, "/jobs", web_upload_handle},
    {WEB_GET, "/jobs/{token}", web_jobs_page},
    {WEB_GET, "/jobs/{token}/status", web_jobs_status},
    {WEB_GET, "/jobs/{token}/files/{name}", web_jobs_file},
    {WEB_GET, "/jobs/{token}/preview.svg", web_jobs_preview},
    {WEB_GET, "/jobs/{token}/trackers.json", web_jobs_trackers},
    {WEB_GET, "/jobs/{token}/all.zip", web_jobs_zip},
    {WEB_GET, "/jobs/{token}/archives/{name}", web_jobs_archive},
    {WEB_POST | WEB_DELETE, "/jobs/{token}/cancel", web_jobs_cancel},
    {WEB_POST, "/jobs/{token}/reconvert", web_upload_reconvert},
    {WEB_GET, "/api/formats", web_api_formats},
    {WEB_POST, "/api/detect", web_api_detect},
    {WEB_GET, "/health", web_api_health},
    {WEB_GET, "/admin", web_admin_index},
    {WEB_GET, "/admin/", web_admin_index},
    {WEB_POST, "/admin/jobs/{token}/retry", web_admin_retry},
    {WEB_POST, "/admin/jobs/{token}/cancel", web_admin_cancel},
    {WEB_POST, "/admin/purge", web_admin_purge},
    {WEB_POST, "/admin/pause", web_admin_pause},
    {WEB_POST, "/admin/resume", web_admin_resume},
    {WEB_POST, "/admin/bulk", web_admin_bulk},
    {WEB_GET, "/metrics", web_metrics_handle},
};

const struct web_route *web_routes(size_t *count)
{
    *count = sizeof routes_table / sizeof routes_table[0];
    return routes_table;
}
