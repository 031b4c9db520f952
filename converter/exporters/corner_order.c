/* corner_order.c — assigns four trackers to the corners of a corner pin by where they start. */
#include "corner_order.h"

/* Sorts trackers by the first keyframe's coordinate (y or x), keeping ties in order. */
static void corner_sort(const struct tp_tracker **c, size_t n, bool by_y)
{
    for (size_t i = 1; i < n; i++) {
        const struct tp_tracker *v = c[i];
        double key = by_y ? v->keys[0].y : v->keys[0].x;
        size_t j = i;
        while (j > 0 && (by_y ? c[j - 1]->keys[0].y : c[j - 1]->keys[0].x) > key) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = v;
    }
}

void tp__corner_order(const struct tp_tracker *const trackers[4],
                      const struct tp_tracker *corner[4])
{
    const struct tp_tracker *order[4] = {trackers[0], trackers[1], trackers[2], trackers[3]};
    /* Lowest two are the bottom corners, highest two the top; each pair left to right. */
    corner_sort(order, 4, true);
    corner_sort(order, 2, false);
    corner_sort(order + 2, 2, false);
    corner[TP__BOTTOM_LEFT] = order[0];
    corner[TP__BOTTOM_RIGHT] = order[1];
    corner[TP__TOP_LEFT] = order[2];
    corner[TP__TOP_RIGHT] = order[3];
}
