/*
 * ruby.c — the trackers as a Ruby script that rebuilds them with the Tracksperanto gem (one
 * Tracker block per tracker, one keyframe! call per keyframe), for people who script their
 * track clean-up in Ruby. The two require lines and the class and method names are what that
 * library expects, so they are part of the format.
 *
 * Names go into double-quoted Ruby strings, where "#{" would run code: it is escaped along
 * with quotes, backslashes and stray bytes.
 */
#include "script_quote.h"

static int ruby_begin(void *state, struct tp_out *out, int width, int height)
{
    (void)state;
    tp_out_puts(out, "require 'rubygems'\nrequire 'tracksperanto'\nwidth = ");
    tp_out_int(out, width);
    tp_out_puts(out, "\nheight = ");
    tp_out_int(out, height);
    tp_out_puts(out, "\ntrackers = []\n");
    return TP_OK;
}

static int ruby_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    (void)state;
    tp_out_puts(out, " \ntrackers << Tracksperanto::Tracker.new(:name => ");
    tp__script_quote(out, t->name, TP__SCRIPT_RUBY);
    tp_out_puts(out, ") do |t|\n");
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_puts(out, "  t.keyframe!(:frame => ");
        tp_out_int(out, k->frame);
        tp_out_puts(out, ", :abs_x => ");
        tp_out_fixed(out, k->x, 5);
        tp_out_puts(out, ", :abs_y => ");
        tp_out_fixed(out, k->y, 5);
        tp_out_puts(out, ", :residual => ");
        tp_out_fixed(out, k->residual, 5);
        tp_out_puts(out, ")\n");
    }
    tp_out_puts(out, "end\n");
    return TP_OK;
}

static int ruby_end(void *state, struct tp_out *out)
{
    (void)state;
    tp_out_puts(out, " \n");
    return TP_OK;
}

const struct tp_exporter tp_export_ruby = {
    .name = "ruby",
    .human_name = "Bare Ruby code",
    .suffix = "tracksperanto_ruby.rb",
    .application = "Scripting",
    .note = "Ruby code building Tracksperanto trackers",
    .begin = ruby_begin,
    .tracker = ruby_tracker,
    .end = ruby_end,
};
