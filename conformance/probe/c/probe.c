/*
 * probe: reports, as JSON, exactly what the process inherited from the
 * fork/exec implementation under test.
 *
 * On Linux it reads /proc and prctl. On FreeBSD (#ifdef __FreeBSD__) it
 * asks sysctl (kern.proc.pid's kinfo_proc, kern.proc.filedesc,
 * kern.proc.umask) and procctl for the same fields, and leaves out those
 * with no FreeBSD meaning (namespaces, cgroup, id maps, mount
 * propagation, oom_score_adj, dumpable, keepcaps, capabilities, seccomp,
 * the Linux-only resource limits). The FreeBSD branch has not run on a
 * FreeBSD host; it is compile-checked only where a FreeBSD sysroot is at
 * hand (see .ci/freebsd.sh).
 *
 * Reporting channel: the probe takes no argument, variable or descriptor
 * of its own. It writes its report to "report.json" in the directory of
 * the path it was executed as (AT_EXECFN, the pathname given to execve,
 * which is independent of argv, env and the fd table). The suite gives
 * every run its own directory holding a hard link to the probe, so the
 * report lands next to it; inside a chroot the path is interpreted in the
 * new root (on FreeBSD, AT_EXECPATH: the kernel's absolute path of the
 * file). Everything is gathered first, from /proc or sysctl and read-only
 * system calls; only then is the report file opened (O_CLOEXEC), written to a
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
#ifdef __FreeBSD__
#include <sys/param.h>
#include <sys/procctl.h>
#include <sys/sysctl.h>
#include <sys/user.h>
#include <sys/wait.h>
#else
#include <sys/prctl.h>
#endif
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

#ifndef __FreeBSD__
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

#endif

static const struct {
	const char *name;
	int res;
} limits[] = {
#ifdef __FreeBSD__
	{"AS", RLIMIT_AS},         {"CORE", RLIMIT_CORE},       {"CPU", RLIMIT_CPU},
	{"DATA", RLIMIT_DATA},     {"FSIZE", RLIMIT_FSIZE},     {"MEMLOCK", RLIMIT_MEMLOCK},
	{"NOFILE", RLIMIT_NOFILE}, {"NPROC", RLIMIT_NPROC},     {"RSS", RLIMIT_RSS},
	{"STACK", RLIMIT_STACK},   {"SBSIZE", RLIMIT_SBSIZE},   {"NPTS", RLIMIT_NPTS},
	{"SWAP", RLIMIT_SWAP},
#ifdef RLIMIT_KQUEUES
	{"KQUEUES", RLIMIT_KQUEUES},
#endif
#ifdef RLIMIT_UMTXP
	{"UMTXP", RLIMIT_UMTXP},
#endif
#else
	{"AS", RLIMIT_AS},         {"CORE", RLIMIT_CORE},       {"CPU", RLIMIT_CPU},
	{"DATA", RLIMIT_DATA},     {"FSIZE", RLIMIT_FSIZE},     {"LOCKS", RLIMIT_LOCKS},
	{"MEMLOCK", RLIMIT_MEMLOCK}, {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
	{"NOFILE", RLIMIT_NOFILE}, {"NPROC", RLIMIT_NPROC},     {"RSS", RLIMIT_RSS},
	{"RTPRIO", RLIMIT_RTPRIO}, {"RTTIME", RLIMIT_RTTIME},   {"SIGPENDING", RLIMIT_SIGPENDING},
	{"STACK", RLIMIT_STACK},
#endif
};

static void jrlim(rlim_t v) {
	if (v == RLIM_INFINITY)
		out("\"unlimited\"");
	else
		out("\"%llu\"", (unsigned long long)v);
}

#ifdef __FreeBSD__
/* kinfo_proc of this process (kern.proc.pid.<pid>), or NULL. */
static struct kinfo_proc *fbsd_proc(void) {
	static struct kinfo_proc kp;
	int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PID, (int)getpid()};
	size_t len = sizeof kp;
	if (sysctl(mib, 4, &kp, &len, NULL, 0) < 0 || len < sizeof kp)
		return NULL;
	return &kp;
}

/* The descriptor table (kern.proc.filedesc.<pid>): packed kinfo_file
 * records, each kf_structsize long; *n gets the byte count. */
static char *fbsd_files(size_t *n) {
	int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_FILEDESC, (int)getpid()};
	for (int try = 0; try < 4; try++) {
		size_t len = 0;
		if (sysctl(mib, 4, NULL, &len, NULL, 0) < 0)
			return NULL;
		len = len * 4 / 3 + 4096;
		char *b = malloc(len);
		if (!b)
			return NULL;
		if (sysctl(mib, 4, b, &len, NULL, 0) == 0) {
			*n = len;
			return b;
		}
		free(b);
		if (errno != ENOMEM)
			return NULL;
	}
	return NULL;
}

/* The record of descriptor fd (or KF_FD_TYPE_ROOT, ...), or NULL. */
static struct kinfo_file *fbsd_file(char *files, size_t n, int fd) {
	for (size_t off = 0; files && off + 3 * sizeof(int) <= n;) {
		struct kinfo_file *kf = (struct kinfo_file *)(files + off);
		if (kf->kf_structsize <= 0 || (size_t)kf->kf_structsize > n - off)
			break;
		if (kf->kf_fd == fd)
			return kf;
		off += kf->kf_structsize;
	}
	return NULL;
}

/* A signal set's first 64 signals as the hex mask /proc/self/status
 * shows (signal n is bit n-1); FreeBSD's numbering, not Linux's. */
static void jsigset(const char *key, const sigset_t *s, int first) {
	unsigned long long m = (unsigned long long)s->__bits[0] | ((unsigned long long)s->__bits[1] << 32);
	out("%s\"%s\":\"%016llx\"", first ? "" : ",", key, m);
}

/* An open descriptor's target, in the form readlink of /proc/self/fd/N
 * gives on Linux: the path of a file, pipe:[ino], socket:[ino]. */
static void jtarget(int fd, struct kinfo_file *kf) {
	struct stat st;
	char t[PATH_MAX + 64];
	if (!kf) {
		out("null");
		return;
	}
	switch (kf->kf_type) {
	case KF_TYPE_PIPE:
	case KF_TYPE_SOCKET:
		snprintf(t, sizeof t, "%s:[%llu]", kf->kf_type == KF_TYPE_PIPE ? "pipe" : "socket",
			 fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0ULL);
		break;
	case KF_TYPE_VNODE:
	case KF_TYPE_FIFO:
#ifdef KF_TYPE_PTS
	case KF_TYPE_PTS:
#endif
#ifdef KF_TYPE_DEV
	case KF_TYPE_DEV:
#endif
		if (kf->kf_path[0]) {
			jstr(kf->kf_path);
			return;
		}
		snprintf(t, sizeof t, "unnamed:[type %d]", kf->kf_type);
		break;
	default:
		snprintf(t, sizeof t, "anon:[type %d]", kf->kf_type);
	}
	jstr(t);
}
#endif

int main(int argc, char **argv) {
	(void)argc;
	/* Everything inherited is read before anything is written. */
#ifdef __FreeBSD__
	static char execpath[PATH_MAX + 1];
	const char *execfn = NULL;
	if (elf_aux_info(AT_EXECPATH, execpath, sizeof execpath) == 0 && execpath[0])
		execfn = execpath;
	struct kinfo_proc *kp = fbsd_proc();
	size_t nfiles = 0;
	char *files = fbsd_files(&nfiles);
#else
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	char *status = readfile("/proc/self/status");
	char *stat = readfile("/proc/self/stat");
#endif

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
#ifdef __FreeBSD__
	struct kinfo_file *rootf = fbsd_file(files, nfiles, KF_FD_TYPE_ROOT);
	jstr(rootf && rootf->kf_path[0] ? rootf->kf_path : NULL);
#else
	jlink("/proc/self/root");
#endif

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

	long long tty_nr = -1, tpgid = -1;
#ifdef __FreeBSD__
	/* The controlling terminal's dev_t (NODEV: none, reported as 0, as
	 * Linux's tty_nr) and its foreground group. */
	if (kp) {
		tty_nr = kp->ki_tdev == NODEV ? 0 : (long long)kp->ki_tdev;
		tpgid = kp->ki_tpgid;
	}
#else
	/* /proc/self/stat: fields 7 (tty_nr) and 8 (tpgid), after the comm. */
	if (stat) {
		char *p = strrchr(stat, ')');
		if (p) {
			char st;
			int ppid, pgrp, sess;
			sscanf(p + 1, " %c %d %d %d %lld %lld", &st, &ppid, &pgrp, &sess, &tty_nr, &tpgid);
		}
	}
#endif
	out(",\"tty_nr\":%lld,\"tpgid\":%lld", tty_nr, tpgid);
	/* The controlling terminal's foreground group, via /dev/tty. */
	int tfd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (tfd >= 0) {
		out(",\"devtty\":true,\"devtty_pgrp\":%d", (int)tcgetpgrp(tfd));
		close(tfd);
	} else {
		out(",\"devtty\":false,\"devtty_errno\":%d", errno);
	}

	/* Signals: dispositions and masks straight from the kernel. */
#ifdef __FreeBSD__
	/* kinfo_proc: pending, blocked (the only thread's), ignored, caught;
	 * FreeBSD has no separate shared-pending set. Of /proc/self/status's
	 * other lines, the umask (kern.proc.umask) and the tracer's pid. */
	out(",\"signals\":{");
	if (kp) {
		jsigset("SigPnd", &kp->ki_siglist, 1);
		jsigset("SigBlk", &kp->ki_sigmask, 0);
		jsigset("SigIgn", &kp->ki_sigignore, 0);
		jsigset("SigCgt", &kp->ki_sigcatch, 0);
	}
	out("}");
	out(",\"status\":{");
	int umib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_UMASK, (int)getpid()};
	unsigned short um;
	size_t umlen = sizeof um;
	int sfirst = 1;
	if (sysctl(umib, 4, &um, &umlen, NULL, 0) == 0) {
		out("\"Umask\":\"%04o\"", (unsigned)um);
		sfirst = 0;
	}
	if (kp)
		out("%s\"TracerPid\":\"%d\"", sfirst ? "" : ",", (int)kp->ki_tracer);
	out("}");

	int pdeath = -1, nnp = 0;
	procctl(P_PID, getpid(), PROC_PDEATHSIG_STATUS, &pdeath);
	out(",\"pdeathsig\":%d", pdeath);
	/* -1: unknown (headers or kernel older than PROC_NO_NEW_PRIVS_*). */
#ifdef PROC_NO_NEW_PRIVS_STATUS
	if (procctl(P_PID, getpid(), PROC_NO_NEW_PRIVS_STATUS, &nnp) < 0)
		out(",\"no_new_privs\":-1");
	else
		out(",\"no_new_privs\":%d", nnp == PROC_NO_NEW_PRIVS_ENABLE);
#else
	(void)nnp;
	out(",\"no_new_privs\":-1");
#endif
#else
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
#endif

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
#ifdef __FreeBSD__
	/* In the table's order, which is numeric. */
	int ffirst = 1;
	for (size_t off = 0; files && off + 3 * sizeof(int) <= nfiles;) {
		struct kinfo_file *kf = (struct kinfo_file *)(files + off);
		if (kf->kf_structsize <= 0 || (size_t)kf->kf_structsize > nfiles - off)
			break;
		off += kf->kf_structsize;
		int fd = kf->kf_fd;
		if (fd < 0)
			continue;
		out("%s{\"fd\":%d,\"target\":", ffirst ? "" : ",", fd);
		ffirst = 0;
		jtarget(fd, kf);
		int fdfl = fcntl(fd, F_GETFD), fl = fcntl(fd, F_GETFL);
		out(",\"cloexec\":%s,\"flags\":%d", (fdfl >= 0 && (fdfl & FD_CLOEXEC)) ? "true" : "false", fl);
		if (isatty(fd))
			out(",\"tty\":true,\"tcgetpgrp\":%d", (int)tcgetpgrp(fd));
		out("}");
	}
	out("]");
	/* No namespaces, cgroup, id maps, mount propagation or oom_score_adj:
	 * left out. */
	char host[256] = "";
	gethostname(host, sizeof host);
	out(",\"hostname\":");
	jstr(host);
#else
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
#endif
	/* Where the report was made, for the run's header (not compared). */
	struct utsname u;
	char kernel[sizeof u.sysname + sizeof u.release + sizeof u.machine + 4] = "";
	if (uname(&u) == 0)
		snprintf(kernel, sizeof kernel, "%s %s %s", u.sysname, u.release, u.machine);
	out(",\"kernel\":");
	jstr(kernel);
	char libc[64];
#if defined(__GLIBC__)
	snprintf(libc, sizeof libc, "glibc %d.%d", __GLIBC__, __GLIBC_MINOR__);
#elif defined(__FreeBSD__)
	snprintf(libc, sizeof libc, "FreeBSD libc (__FreeBSD_version %d)", __FreeBSD_version);
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
