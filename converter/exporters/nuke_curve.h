/*
 * nuke_curve.h — Nuke animation curves ("{curve x1 10 11 x5 12}") for the Nuke exporters.
 *
 * Frames are 1-based in Nuke. A curve restates the frame ("xN") at every break in the frame
 * sequence and once more on the key after it: a bare key after "xN" would otherwise sit as
 * far from N as the jump that led to N (see the importer), not one frame further. Internal to
 * the exporters.
 */
#ifndef TP_NUKE_CURVE_H
#define TP_NUKE_CURVE_H

#include "trackport.h"

enum tp__nuke_value { TP__NUKE_X, TP__NUKE_Y, TP__NUKE_RESIDUAL };

/* tp__nuke_curve writes "{<head> x1 v v x5 v ...}" of one value of t's keyframes with the
 * given number of decimals; head is "curve" or "curve i". */
void tp__nuke_curve(struct tp_out *o, const char *head, const struct tp_tracker *t,
                    enum tp__nuke_value value, int decimals);

#endif
