/*
 * probe: reports, as JSON, exactly what the process inherited from the
 * fork/exec implementation under test.
 *
 * Reporting channel: the probe takes no argument, variable or descriptor
 * of its own. It writes its report to "report.json" in the directory of
 * the path it was executed as (AT_EXECFN, the pathname given to execve,
 * which is independent of argv, env and the fd table). The suite gives
 * every run its own directory holding a hard link to the probe, so the
 * report lands next to it; inside a chroot the path is interpreted in the
 * new root. Everything is gathered first, from /proc and read-only system
 * calls; only then is the report file opened (O_CLOEXEC), written to a
 * temporary name and renamed into place, so its own descriptor never
 * appears in the report and a reader never sees a partial report.
 *
 * The probe is C, not Go, because a Go runtime changes signal state
 * (handlers, mask) before main runs. It is built by the suite with the
 * machine's cc, statically when possible so that it runs inside a chroot.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

static char *buf;
static size_t blen, bcap;

static void out(const char *fmt, ...) {
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(buf + blen, bcap - blen, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < bcap - blen) {
			blen += n;
			return;
		}
		bcap = bcap * 2 + n + 1024;
		buf = realloc(buf, bcap);
		if (!buf)
			_exit(120);
	}
}

static void jstr(const char *s) {
	if (!s) {
		out("null");
		return;
	}
	out("\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			out("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			out("\\u%04x", *p);
		else
			out("%c", *p);
	}
	out("\"");
}

static char *readfile(const char *path) {
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *s = malloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			s = realloc(s, cap);
		}
		ssize_t r = read(fd, s + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	s[n] = 0;
	return s;
}

static void jfile(const char *key, const char *path) {
	char *s = readfile(path);
	out("\"%s\":", key);
	jstr(s);
	out(",");
	free(s);
}

static void jlink(const char *path) {
	char t[PATH_MAX + 1];
	ssize_t n = readlink(path, t, PATH_MAX);
	if (n < 0) {
		out("null");
		return;
	}
	t[n] = 0;
	jstr(t);
}

/* status returns the value of "Key:" in /proc/self/status, trimmed. */
static void status_field(const char *status, const char *key, char *dst, size_t dl) {
	dst[0] = 0;
	if (!status)
		return;
	size_t kl = strlen(key);
	for (const char *p = status; p && *p;) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
			p += kl + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			size_t i = 0;
			while (*p && *p != '\n' && i + 1 < dl)
				dst[i++] = *p++;
			dst[i] = 0;
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

static const struct {
	const char *name;
	int res;
} limits[] = {
	{"AS", RLIMIT_AS},         {"CORE", RLIMIT_CORE},       {"CPU", RLIMIT_CPU},
	{"DATA", RLIMIT_DATA},     {"FSIZE", RLIMIT_FSIZE},     {"LOCKS", RLIMIT_LOCKS},
	{"MEMLOCK", RLIMIT_MEMLOCK}, {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
	{"NOFILE", RLIMIT_NOFILE}, {"NPROC", RLIMIT_NPROC},     {"RSS", RLIMIT_RSS},
	{"RTPRIO", RLIMIT_RTPRIO}, {"RTTIME", RLIMIT_RTTIME},   {"SIGPENDING", RLIMIT_SIGPENDING},
	{"STACK", RLIMIT_STACK},
};

static void jrlim(rlim_t v) {
	if (v == RLIM_INFINITY)
		out("\"unlimited\"");
	else
		out("\"%llu\"", (unsigned long long)v);
}

int main(int argc, char **argv) {
	(void)argc;
	/* Everything inherited is read before anything is written. */
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	char *status = readfile("/proc/self/status");
	char *stat = readfile("/proc/self/stat");

	out("{");
	out("\"argv\":[");
	for (int i = 0; argv[i]; i++) {
		if (i)
			out(",");
		jstr(argv[i]);
	}
	out("],\"env\":");
	if (!environ) {
		out("null");
	} else {
		out("[");
		for (int i = 0; environ[i]; i++) {
			if (i)
				out(",");
			jstr(environ[i]);
		}
		out("]");
	}
	out(",\"execfn\":");
	jstr(execfn);
	char cwd[PATH_MAX + 1];
	out(",\"cwd\":");
	jstr(getcwd(cwd, sizeof cwd) ? cwd : NULL);
	out(",\"root\":");
	jlink("/proc/self/root");

	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	getresuid(&ru, &eu, &su);
	getresgid(&rg, &eg, &sg);
	out(",\"uid\":[%u,%u,%u],\"gid\":[%u,%u,%u]", ru, eu, su, rg, eg, sg);
	gid_t groups[NGROUPS_MAX];
	int ng = getgroups(NGROUPS_MAX, groups);
	out(",\"groups\":[");
	for (int i = 0; i < ng; i++)
		out("%s%u", i ? "," : "", groups[i]);
	out("]");
	out(",\"pid\":%d,\"ppid\":%d,\"pgid\":%d,\"sid\":%d", (int)getpid(), (int)getppid(),
	    (int)getpgid(0), (int)getsid(0));

	/* /proc/self/stat: fields 7 (tty_nr) and 8 (tpgid), after the comm. */
	long tty_nr = -1, tpgid = -1;
	if (stat) {
		char *p = strrchr(stat, ')');
		if (p) {
			char st;
			int ppid, pgrp, sess;
			sscanf(p + 1, " %c %d %d %d %ld %ld", &st, &ppid, &pgrp, &sess, &tty_nr, &tpgid);
		}
	}
	out(",\"tty_nr\":%ld,\"tpgid\":%ld", tty_nr, tpgid);
	/* The controlling terminal's foreground group, via /dev/tty. */
	int tfd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (tfd >= 0) {
		out(",\"devtty\":true,\"devtty_pgrp\":%d", (int)tcgetpgrp(tfd));
		close(tfd);
	} else {
		out(",\"devtty\":false,\"devtty_errno\":%d", errno);
	}

	/* Signals: dispositions and masks straight from the kernel. */
	char v[256];
	static const char *sigkeys[] = {"SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt"};
	out(",\"signals\":{");
	for (int i = 0; i < 5; i++) {
		status_field(status, sigkeys[i], v, sizeof v);
		out("%s\"%s\":", i ? "," : "", sigkeys[i]);
		jstr(v);
	}
	out("}");
	static const char *stkeys[] = {"Umask", "TracerPid", "CapInh", "CapPrm", "CapEff", "CapBnd",
				       "CapAmb", "NoNewPrivs", "Seccomp"};
	out(",\"status\":{");
	for (size_t i = 0; i < sizeof stkeys / sizeof stkeys[0]; i++) {
		status_field(status, stkeys[i], v, sizeof v);
		out("%s\"%s\":", i ? "," : "", stkeys[i]);
		jstr(v);
	}
	out("}");

	int pdeath = -1;
	prctl(PR_GET_PDEATHSIG, &pdeath, 0, 0, 0);
	out(",\"pdeathsig\":%d", pdeath);
	out(",\"no_new_privs\":%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	out(",\"dumpable\":%d", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	out(",\"keepcaps\":%d", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));

	out(",\"rlimits\":{");
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		struct rlimit rl;
		out("%s\"%s\":", i ? "," : "", limits[i].name);
		if (getrlimit(limits[i].res, &rl) < 0) {
			out("null");
			continue;
		}
		out("[");
		jrlim(rl.rlim_cur);
		out(",");
		jrlim(rl.rlim_max);
		out("]");
	}
	out("}");

	/* Open descriptors. The directory stream's own fd is skipped. */
	out(",\"fds\":[");
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		int self = dirfd(d), first = 1;
		struct dirent *e;
		int fds[65536], nfd = 0;
		while ((e = readdir(d)) && nfd < 65536) {
			if (e->d_name[0] == '.')
				continue;
			int fd = atoi(e->d_name);
			if (fd == self)
				continue;
			fds[nfd++] = fd;
		}
		/* numeric order */
		for (int i = 1; i < nfd; i++)
			for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
				int t = fds[j];
				fds[j] = fds[j - 1];
				fds[j - 1] = t;
			}
		for (int i = 0; i < nfd; i++) {
			int fd = fds[i];
			char p[64];
			snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
			out("%s{\"fd\":%d,\"target\":", first ? "" : ",", fd);
			first = 0;
			jlink(p);
			int fdfl = fcntl(fd, F_GETFD), fl = fcntl(fd, F_GETFL);
			out(",\"cloexec\":%s,\"flags\":%d", (fdfl >= 0 && (fdfl & FD_CLOEXEC)) ? "true" : "false",
			    fl);
			if (isatty(fd))
				out(",\"tty\":true,\"tcgetpgrp\":%d", (int)tcgetpgrp(fd));
			out("}");
		}
		closedir(d);
	}
	out("]");

	static const char *ns[] = {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
				   "time", "time_for_children", "user", "uts"};
	out(",\"ns\":{");
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		char p[64];
		snprintf(p, sizeof p, "/proc/self/ns/%s", ns[i]);
		out("%s\"%s\":", i ? "," : "", ns[i]);
		jlink(p);
	}
	out("}");
	out(",");
	jfile("cgroup", "/proc/self/cgroup");
	jfile("uid_map", "/proc/self/uid_map");
	jfile("gid_map", "/proc/self/gid_map");
	jfile("setgroups", "/proc/self/setgroups");
	/* Propagation of the root mount ("shared:N" or private). */
	char *mi = readfile("/proc/self/mountinfo");
	const char *prop = NULL;
	char propbuf[256] = "";
	if (mi) {
		for (char *line = mi; line && *line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = 0;
			int a, b;
			char mnt[PATH_MAX];
			if (sscanf(line, "%d %d %*s %*s %255s", &a, &b, mnt) == 3 && strcmp(mnt, "/") == 0) {
				char *opt = strstr(line, " - ");
				propbuf[0] = 0;
				char *s = line;
				/* optional fields are between field 6 and " - " */
				for (int f = 0; f < 6 && s; f++) {
					s = strchr(s, ' ');
					if (s)
						s++;
				}
				if (s && opt && s < opt) {
					size_t n = (size_t)(opt - s);
					if (n >= sizeof propbuf)
						n = sizeof propbuf - 1;
					memcpy(propbuf, s, n);
					propbuf[n] = 0;
				}
				prop = propbuf;
			}
			line = nl ? nl + 1 : NULL;
		}
	}
	out("\"root_mount_optional\":");
	jstr(prop);
	char host[256] = "";
	gethostname(host, sizeof host);
	out(",\"hostname\":");
	jstr(host);
	char oom[32] = "";
	int ofd0 = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	if (ofd0 >= 0) {
		ssize_t n = read(ofd0, oom, sizeof oom - 1);
		oom[n > 0 ? n : 0] = 0;
		if (n > 0 && oom[n - 1] == '\n')
			oom[n - 1] = 0;
		close(ofd0);
	}
	out(",\"oom_score_adj\":");
	jstr(oom);
	/* Where the report was made, for the run's header (not compared). */
	struct utsname u;
	char kernel[sizeof u.sysname + sizeof u.release + sizeof u.machine + 4] = "";
	if (uname(&u) == 0)
		snprintf(kernel, sizeof kernel, "%s %s %s", u.sysname, u.release, u.machine);
	out(",\"kernel\":");
	jstr(kernel);
	char libc[64];
#ifdef __GLIBC__
	snprintf(libc, sizeof libc, "glibc %d.%d", __GLIBC__, __GLIBC_MINOR__);
#else
	snprintf(libc, sizeof libc, "not glibc (C library version unknown)");
#endif
	out(",\"libc\":");
	jstr(libc);
	out("}\n");

	/* Only now write the report, next to the executable as run; run by
	 * descriptor (execveat, fexecve: /dev/fd/N) it has no directory, and
	 * the report goes to the working directory. */
	char dir[PATH_MAX + 32];
	snprintf(dir, sizeof dir, "%s", execfn && strncmp(execfn, "/dev/fd/", 8) != 0 ? execfn : "./probe");
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[1] = 0;
	else
		strcpy(dir, "./");
	char tmp[PATH_MAX + 64], fin[PATH_MAX + 64];
	snprintf(tmp, sizeof tmp, "%sreport.json.tmp", dir);
	snprintf(fin, sizeof fin, "%sreport.json", dir);
	int ofd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (ofd < 0)
		return 111;
	for (size_t off = 0; off < blen;) {
		ssize_t w = write(ofd, buf + off, blen - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 112;
		off += w;
	}
	close(ofd);
	if (rename(tmp, fin) < 0)
		return 113;
	return 0;
}
