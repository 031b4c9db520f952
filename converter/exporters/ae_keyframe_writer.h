/*
 * ae_keyframe_writer.h — After Effects keyframe data (the clipboard text After Effects and
 * Mocha exchange) for the three exporters that write it: positions, one layer a tracker
 * (aekeyframes), and the first four trackers as a Corner Pin or a CC Power Pin effect
 * (aecornerpin, aepowerpin).
 *
 * After Effects measures from the top left corner in pixels, so y is flipped against the comp
 * height; frames are written as the model's frames. The text carries no frame rate of ours:
 * "Units Per Second" says 24, which After Effects uses to place the keys in time, so a comp at
 * another rate wants that line edited before pasting (the README says so).
 *
 * Memory: the pin exporters keep copies of at most four trackers in their state, released by
 * tp__ae_pin_cleanup; the position exporter keeps nothing.
 */
#ifndef TP_AE_KEYFRAME_WRITER_H
#define TP_AE_KEYFRAME_WRITER_H

#include "trackport.h"

/* tp__ae_header writes the first line (version "6.0", "9.0"...) and the header block. */
void tp__ae_header(struct tp_out *out, const char *version, int width, int height);

/* tp__ae_block writes one block: its header line (fields joined by tabs), the column line
 * (with a Z column when with_z) and a row a keyframe of t, y flipped against height. */
void tp__ae_block(struct tp_out *out, const char *header, bool with_z, const struct tp_tracker *t,
                  int height);

/* tp__ae_footer writes "End of Keyframe Data". */
void tp__ae_footer(struct tp_out *out);

/* The state of the pin exporters: the first four trackers. */
struct tp__ae_pin_state {
    int width, height;
    struct tp_tracker corners[4];
    size_t count;
};

int tp__ae_pin_begin(void *state, struct tp_out *out, int width, int height);
int tp__ae_pin_tracker(void *state, struct tp_out *out, const struct tp_tracker *t);
/* tp__ae_pin_end writes the pin: headers[i] is the block header of corner i, in the order
 * top left, top right, bottom left, bottom right. Four trackers are placed by where they
 * start (see corner_order.h); fewer are written in that order as they came. */
int tp__ae_pin_end(struct tp__ae_pin_state *s, struct tp_out *out, const char *const headers[4]);
void tp__ae_pin_cleanup(void *state);

#endif
