/* share_day: the day's visitor keys in memory shared by the workers of one master. */
#ifndef SOCIALHUB_WIDGETS_SHARE_DAY_H
#define SOCIALHUB_WIDGETS_SHARE_DAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/rc.h"

/*
 * Counting a new visitor in SQLite inserted two rows with random keys
 * (each dirtied its own page, and two workers re-read each other's
 * pages): that held a node to 0.55x of the bare fcgi2 baseline. The
 * day's keys (seen, url and net kinds, with how often each counted)
 * live here instead: a fixed-size open-addressing table in one
 * MAP_SHARED anonymous mapping that the master makes before it forks,
 * so every worker sees every other's keys without a write to disk.
 * The counters stay durable in SQLite (share_store.h).
 *
 * - Keys are the day's MACs (SHARE_VISITOR_LEN bytes); a slot is tagged
 *   with its day, so a new day finds yesterday's slots free: the table
 *   is cleared by the day change without a sweep.
 * - Lookups are lock-free. Inserts claim a slot by compare-and-swap
 *   (two processes inserting one key find the same slot). Check-then-add
 *   across keys (the caps) is made atomic by the caller: share_store
 *   adds only inside its BEGIN IMMEDIATE transaction, which one process
 *   holds at a time.
 * - Bounded: at most 3/4 of the slots are used a day. A full table
 *   refuses (RC_LIMIT) and says so (share_day_spilled): the caller keeps
 *   the key in SQLite instead and checks there too for the rest of the
 *   day. No count is dropped.
 * - Only the table's current day is covered: a late share of an earlier
 *   day gets RC_NOTFOUND (the caller asks SQLite).
 * - Memory, saved to a file at a clean stop and read at start
 *   (share_day_save, share_day_load): a kill -9 of the master loses
 *   the keys since the last clean stop (doc/share.md).
 */
struct share_day;

#define SHARE_DAY_KEY_LEN 16
#define SHARE_DAY_SLOTS_MIN 64u
#define SHARE_DAY_SLOTS_MAX (1u << 20)

/* The slots for a day of max_keys keys (a power of two, 4/3 of it,
 * clamped to [SHARE_DAY_SLOTS_MIN, SHARE_DAY_SLOTS_MAX]). */
size_t share_day_slots_for(long max_keys);

/* Maps a table of `slots` (a power of two >= SHARE_DAY_SLOTS_MIN, else
 * RC_INVALID) shared with the children forked after. RC_NOMEM. */
enum rc share_day_new(size_t slots, struct share_day **out);
/* Unmaps (in this process). NULL: no-op. */
void share_day_free(struct share_day *d);

/*
 * *n how often key counted on `day` (0: not there). RC_NOTFOUND when the
 * table has moved on to a later day (it does not know `day`'s keys).
 */
enum rc share_day_get(struct share_day *d, long day, const unsigned char *key, uint32_t *n);

/*
 * Adds one to key's count on `day`, inserting it first; *at is its slot
 * (for share_day_undo). A later day than the table's starts that day.
 * RC_LIMIT when a new key finds the table full (the day is then
 * spilled); RC_NOTFOUND as for share_day_get.
 */
enum rc share_day_add(struct share_day *d, long day, const unsigned char *key, uint32_t *at);

/* Takes back one share_day_add of slot `at` (a rolled-back transaction):
 * a key at count 0 is absent again. */
void share_day_undo(struct share_day *d, uint32_t at);

/* True when a new key of `day` was refused (the rest are in SQLite). */
bool share_day_spilled(const struct share_day *d, long day);

/* Keys inserted on `day` (0 for another day). */
size_t share_day_used(const struct share_day *d, long day);

/* Keys a day may hold (3/4 of the slots). */
size_t share_day_capacity(const struct share_day *d);

/*
 * Writes the keys of `day` to path (replaced atomically, mode 0600): at a
 * clean stop, so a restart the same day still knows who counted. The
 * file is this machine's (host byte order). RC_IO, RC_NOMEM.
 */
enum rc share_day_save(struct share_day *d, long day, const char *path);

/*
 * Puts back what share_day_save wrote, when it was written on `day` (an
 * older file is ignored: RC_OK, nothing loaded). *loaded (may be NULL)
 * the keys put back. RC_NOTFOUND when there is no file, RC_CORRUPT when
 * it is not one of ours or truncated (nothing loaded), RC_IO.
 */
enum rc share_day_load(struct share_day *d, long day, const char *path, size_t *loaded);

/*
 * The process model's table: share_day_start maps it once in the master
 * before the first fork (a second call is a no-op); share_day_shared
 * returns it in the master and its children, NULL when never started
 * (CGI, one-shot commands).
 */
enum rc share_day_start(size_t slots);
struct share_day *share_day_shared(void);

#endif
