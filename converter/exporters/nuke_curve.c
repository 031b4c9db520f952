/* nuke_curve.c — Nuke animation curves for the Nuke exporters (see nuke_curve.h). */
#include "nuke_curve.h"

void tp__nuke_curve(struct tp_out *o, const char *head, const struct tp_tracker *t,
                    enum tp__nuke_value value, int decimals)
{
    tp_out_putc(o, '{');
    tp_out_puts(o, head);
    bool have_last = false, restate = false;
    long long last = 0;
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        long long f = (long long)k->frame + 1;
        bool jump = !have_last || last != f - 1;
        if (jump || restate) {
            tp_out_puts(o, " x");
            tp_out_int(o, f);
            restate = jump;
        }
        tp_out_putc(o, ' ');
        double v = value == TP__NUKE_X ? k->x : value == TP__NUKE_Y ? k->y : k->residual;
        tp_out_fixed(o, v, decimals);
        last = f;
        have_last = true;
    }
    tp_out_putc(o, '}');
}
