/*
 * corner_order.h — which of four trackers is which corner of a corner pin, for the exporters
 * that write one (Flame's corner pin setups, After Effects' Corner Pin and CC Power Pin).
 *
 * The corners are told apart by where the trackers start: the two with the lowest first y
 * are the bottom corners, the other two the top ones, and each pair is ordered left to right
 * by its first x (ties keep the trackers' order). Internal to the exporters; borrows
 * everything it is given.
 */
#ifndef TP_CORNER_ORDER_H
#define TP_CORNER_ORDER_H

#include "trackport.h"

enum tp__corner { TP__TOP_LEFT, TP__TOP_RIGHT, TP__BOTTOM_LEFT, TP__BOTTOM_RIGHT };

/* tp__corner_order fills corner[TP__TOP_LEFT..TP__BOTTOM_RIGHT] from four non-empty
 * trackers given in any order. */
void tp__corner_order(const struct tp_tracker *const trackers[4],
                      const struct tp_tracker *corner[4]);

#endif
