/*
 * pftrack_writer.h — the tracker block writer shared by the PFTrack 4, PFTrack 5 and
 * PFMatchit exporters. Internal to converter/exporters.
 *
 * The three formats write the same block (two line breaks, the quoted name, an optional
 * camera line, the keyframe count, then one "frame x y residual" row a keyframe with
 * three decimals); they differ only in the camera line, the frame numbering and the line
 * break, which a struct tp__pf_style carries. Positions are written with the pixel
 * centre at whole numbers and the residual in eighths, as PFTrack reads them.
 */
#ifndef TP_PFTRACK_WRITER_H
#define TP_PFTRACK_WRITER_H

#include "trackport.h"

struct tp__pf_style {
    const char *camera; /* the camera line, written as is; NULL: none (PFTrack 4) */
    int frame_offset;   /* added to each model frame (1 where the file counts from 1) */
    const char *eol;    /* line break: "\r\n" or "\n" */
};

/* tp__pf_write_tracker writes one tracker block of t (len >= 1) to out in style. */
int tp__pf_write_tracker(struct tp_out *out, const struct tp_tracker *t,
                         const struct tp__pf_style *style);

/*
 * tp__pf_write_quoted writes s as a double-quoted string the way PFTrack files quote
 * names: '"' and '\' are backslash-escaped, "#{", "#$" and "#@" get "\#", control
 * characters become \n, \t, \e... or \uXXXX, and bytes that are not UTF-8 become \xXX.
 */
void tp__pf_write_quoted(struct tp_out *out, const char *s);

#endif
