/* registry.c — the importer and exporter tables, expanded from formats.def. */
#include "trackport.h"

#define TP_IMPORTER(symbol) extern const struct tp_importer symbol;
#define TP_EXPORTER(symbol) extern const struct tp_exporter symbol;
#include "formats.def"

static const struct tp_importer *const importers[] = {
#define TP_IMPORTER(symbol) &symbol,
#include "formats.def"
};

static const struct tp_exporter *const exporters[] = {
#define TP_EXPORTER(symbol) &symbol,
#include "formats.def"
};

const struct tp_importer *const *tp_importers(size_t *count)
{
    *count = sizeof importers / sizeof importers[0];
    return importers;
}

const struct tp_exporter *const *tp_exporters(size_t *count)
{
    *count = sizeof exporters / sizeof exporters[0];
    return exporters;
}

const struct tp_importer *tp_find_importer(const char *name)
{
    for (size_t i = 0; i < sizeof importers / sizeof importers[0]; i++)
        if (tp_strcaseeq(importers[i]->name, name))
            return importers[i];
    return NULL;
}

const struct tp_exporter *tp_find_exporter(const char *name)
{
    for (size_t i = 0; i < sizeof exporters / sizeof exporters[0]; i++)
        if (tp_strcaseeq(exporters[i]->name, name))
            return exporters[i];
    return NULL;
}
