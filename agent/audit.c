// SPDX-License-Identifier: Apache-2.0
/*
 * The audit log: JSON lines, each carrying "prev", the hex SHA-256 of the previous line's
 * bytes (without its newline), and "seq", one more than the previous line's.  The first
 * line of a file carries 64 zeros and seq 1.
 *
 * Durability: each record is written with one write(2) on an O_APPEND descriptor, so a
 * crash of airlockd never interleaves or loses a record the kernel accepted (it sits in the
 * page cache and reaches the disk with the rest of the file).  There is no fdatasync per
 * record: decisions are taken on the notification path, where a disk flush (milliseconds)
 * would cost more than the whole gated syscall; a power loss can therefore lose the last
 * records, which shows as a missing or torn tail.  audit_close() does flush.
 *
 * A torn last line (a crash or a full disk in the middle of a write, or a line without its
 * newline) makes audit_open() fail with -EBADMSG: continuing the chain after it would
 * either hash garbage or silently start a second chain in the same file, and either hides
 * what happened.  The operator inspects the file ('airlock audit verify' names the line)
 * and moves it aside; a short write of our own is undone at once (ftruncate to the last
 * complete line), so airlockd itself never leaves a torn line behind while it runs.
 *
 * One writer per file: two would fork the chain, so audit_open() takes an exclusive flock
 * and fails with -EBUSY while another process holds it.  The log is opened O_NOFOLLOW: a
 * symlink planted where the log should be is refused (-ELOOP), not followed.
 *
 * What the chain cannot show: a change to the last line that keeps it valid JSON, and the
 * removal of lines at the end.  Both need an anchor kept elsewhere (the last "prev" seen
 * by a reader, or logged to the journal).
 */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define HASH_HEX_LEN 64
/* A record carries at most an argv and a few paths; anything longer is not ours. */
#define AUDIT_LINE_MAX (16u << 20)

struct audit_log {
	int fd;
	off_t size;		     /* end of the last complete line */
	uint64_t seq;		     /* seq of the last line, 0 for an empty file */
	char prev[HASH_HEX_LEN + 1]; /* hash of the last line, zeros for an empty file */
};

static const char zero_hash[HASH_HEX_LEN + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

static int hash_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	unsigned int i;

	if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32)
		return -EIO;
	for (i = 0; i < md_len; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[HASH_HEX_LEN] = '\0';
	return 0;
}

static bool is_hash_hex(const char *s)
{
	size_t i;

	for (i = 0; i < HASH_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[HASH_HEX_LEN] == '\0';
}

/*
 * Check one line (without its newline) against the chain so far: valid JSON object,
 * "prev" equal to the previous line's hash, "seq" one more than the previous seq.  On
 * success *ret_seq is the line's seq.  -EBADMSG with a reason otherwise.
 */
static int check_line(const char *line, size_t len, const char *want_prev, uint64_t want_seq,
		      uint64_t *ret_seq, char *why, size_t why_len)
{
	json_error_t jerr;
	json_t *obj, *prev, *seq;
	int r = -EBADMSG;

	if (memchr(line, '\0', len)) {
		snprintf(why, why_len, "NUL byte in line");
		return -EBADMSG;
	}
	obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		snprintf(why, why_len, "not valid JSON at column %d: %s", jerr.column, jerr.text);
		return -EBADMSG;
	}
	if (!json_is_object(obj)) {
		snprintf(why, why_len, "not a JSON object");
		goto out;
	}
	prev = json_object_get(obj, "prev");
	seq = json_object_get(obj, "seq");
	if (!json_is_string(prev) || !is_hash_hex(json_string_value(prev))) {
		snprintf(why, why_len, "no 'prev' hash");
		goto out;
	}
	if (!json_is_integer(seq) || json_integer_value(seq) <= 0) {
		snprintf(why, why_len, "no 'seq' number");
		goto out;
	}
	if (strcmp(json_string_value(prev), want_prev) != 0) {
		if (want_seq == 1)
			snprintf(why, why_len, "first line's 'prev' is not all zeros");
		else
			snprintf(
				why, why_len,
				"'prev' is not the SHA-256 of line %llu: that line or this one was "
				"altered, or lines were removed or reordered",
				(unsigned long long)want_seq - 1);
		goto out;
	}
	if ((uint64_t)json_integer_value(seq) != want_seq) {
		snprintf(why, why_len, "'seq' is %lld, expected %llu",
			 (long long)json_integer_value(seq), (unsigned long long)want_seq);
		goto out;
	}
	*ret_seq = (uint64_t)json_integer_value(seq);
	r = 0;
out:
	json_decref(obj);
	return r;
}

/*
 * Find the last line of fd (size bytes, which must end with a newline) and return it
 * without its newline in a malloc'd buffer.
 */
static int read_last_line(int fd, off_t size, char **ret_line, size_t *ret_len)
{
	char chunk[4096], last;
	off_t end = size - 1, pos = end, start = 0;
	char *line = NULL;
	ssize_t n;
	int r;

	n = pread(fd, &last, 1, end);
	if (n < 0)
		return -errno;
	if (n != 1 || last != '\n')
		return -EBADMSG; /* torn: the last write did not complete */

	/* Scan backwards for the newline that ends the line before. */
	while (pos > 0) {
		size_t want = pos > (off_t)sizeof(chunk) ? sizeof(chunk) : (size_t)pos;
		off_t from = pos - (off_t)want;
		bool found = false;
		size_t i;

		n = pread(fd, chunk, want, from);
		if (n < 0)
			return -errno;
		if ((size_t)n != want)
			return -EIO;
		for (i = want; i > 0; i--) {
			if (chunk[i - 1] == '\n') {
				start = from + (off_t)i;
				found = true;
				break;
			}
		}
		if (found)
			break;
		pos = from;
		if (end - pos > (off_t)AUDIT_LINE_MAX)
			return -EBADMSG;
	}
	if (end - start > (off_t)AUDIT_LINE_MAX)
		return -EBADMSG;

	line = malloc((size_t)(end - start) + 1);
	if (!line)
		return -ENOMEM;
	n = pread(fd, line, (size_t)(end - start), start);
	if (n < 0) {
		r = -errno;
		goto fail;
	}
	if (n != end - start) {
		r = -EIO;
		goto fail;
	}
	line[n] = '\0';
	*ret_line = line;
	*ret_len = (size_t)n;
	return 0;
fail:
	free(line);
	return r;
}

/* Take the chain's tail from the file's last line. */
static int load_tail(struct audit_log *log)
{
	char *line = NULL;
	json_t *obj = NULL;
	json_error_t jerr;
	size_t len = 0;
	json_t *seq, *prev;
	int r;

	r = read_last_line(log->fd, log->size, &line, &len);
	if (r < 0)
		return r;
	obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	seq = obj ? json_object_get(obj, "seq") : NULL;
	prev = obj ? json_object_get(obj, "prev") : NULL;
	if (!json_is_object(obj) || !json_is_integer(seq) || json_integer_value(seq) <= 0 ||
	    !json_is_string(prev) || !is_hash_hex(json_string_value(prev))) {
		r = -EBADMSG;
		goto out;
	}
	r = hash_hex(line, len, log->prev);
	if (r < 0)
		goto out;
	log->seq = (uint64_t)json_integer_value(seq);
out:
	json_decref(obj);
	free(line);
	return r;
}

static int make_parent_dir(const char *path)
{
	char *dir = strdup(path), *slash;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			r = -errno;
	}
	free(dir);
	return r;
}

int audit_open(const char *path, struct audit_log **ret)
{
	struct audit_log *log;
	struct stat st;
	int r;

	log = calloc(1, sizeof(*log));
	if (!log)
		return -ENOMEM;
	log->fd = -1;
	memcpy(log->prev, zero_hash, sizeof(log->prev));

	r = make_parent_dir(path);
	if (r < 0)
		goto fail;
	log->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (log->fd < 0) {
		r = -errno;
		goto fail;
	}
	/* Two writers would fork the chain: the second one is refused. */
	if (flock(log->fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto fail;
	}
	if (fstat(log->fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto fail;
	}
	log->size = st.st_size;
	if (log->size > 0) {
		r = load_tail(log);
		if (r < 0)
			goto fail;
	}
	*ret = log;
	return 0;
fail:
	audit_close(log);
	return r;
}

static void format_ts(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ldZ", ts.tv_nsec / 1000);
}

int audit_append(struct audit_log *log, json_t *record)
{
	char ts[40], hash[HASH_HEX_LEN + 1];
	json_t *line = NULL;
	void *it;
	char *text = NULL;
	size_t len;
	ssize_t n;
	int r;

	if (!log || log->fd < 0 || !json_is_object(record))
		return -EINVAL;

	/* Chain fields first, so a reader sees them at a glance; the caller's record is
	 * copied around them and never modified. */
	format_ts(ts, sizeof(ts));
	line = json_object();
	if (!line || json_object_set_new(line, "seq", json_integer((json_int_t)log->seq + 1)) ||
	    json_object_set_new(line, "ts", json_string(ts)) ||
	    json_object_set_new(line, "prev", json_string(log->prev))) {
		r = -ENOMEM;
		goto out;
	}
	for (it = json_object_iter(record); it; it = json_object_iter_next(record, it)) {
		const char *key = json_object_iter_key(it);

		if (!strcmp(key, "seq") || !strcmp(key, "ts") || !strcmp(key, "prev"))
			continue;
		if (json_object_set(line, key, json_object_iter_value(it))) {
			r = -ENOMEM;
			goto out;
		}
	}
	/* Compact output never contains a raw newline: strings escape it. */
	text = json_dumps(line, JSON_COMPACT);
	if (!text) {
		r = -ENOMEM;
		goto out;
	}
	len = strlen(text);
	if (len > AUDIT_LINE_MAX) {
		r = -E2BIG;
		goto out;
	}
	r = hash_hex(text, len, hash);
	if (r < 0)
		goto out;
	text[len] = '\n'; /* replaces the NUL: one buffer, one write(2) */

	n = write(log->fd, text, len + 1);
	if (n != (ssize_t)(len + 1)) {
		r = n < 0 ? -errno : -ENOSPC;
		/* Undo a partial line so the file still ends on a complete record. */
		if (n > 0 && ftruncate(log->fd, log->size) < 0)
			r = -EIO;
		goto out;
	}
	log->size += (off_t)(len + 1);
	log->seq++;
	memcpy(log->prev, hash, sizeof(hash));
	r = 0;
out:
	free(text);
	json_decref(line);
	return r;
}

void audit_close(struct audit_log *log)
{
	if (!log)
		return;
	if (log->fd >= 0) {
		(void)fdatasync(log->fd);
		close(log->fd);
	}
	free(log);
}

int audit_verify_file(const char *path, unsigned long *ret_lines, unsigned long *ret_bad_line,
		      char *why, size_t why_len)
{
	char prev[HASH_HEX_LEN + 1];
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	ssize_t n;
	int r = 0;

	memcpy(prev, zero_hash, sizeof(prev));
	f = fopen(path, "re");
	if (!f)
		return -errno;

	errno = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		uint64_t seq = 0;
		size_t len = (size_t)n;

		lineno++;
		if (line[len - 1] != '\n') {
			snprintf(why, why_len, "torn last line (no newline at the end)");
			r = -EBADMSG;
			break;
		}
		len--;
		if (len > AUDIT_LINE_MAX) {
			snprintf(why, why_len, "line longer than %u bytes", AUDIT_LINE_MAX);
			r = -EBADMSG;
			break;
		}
		r = check_line(line, len, prev, lineno, &seq, why, why_len);
		if (r < 0)
			break;
		r = hash_hex(line, len, prev);
		if (r < 0)
			break;
	}
	if (r == 0 && ferror(f))
		r = errno ? -errno : -EIO;
	if (r == -EBADMSG) {
		*ret_bad_line = lineno;
	} else if (r == 0) {
		*ret_lines = lineno;
	}
	free(line);
	fclose(f);
	return r;
}
