/*
 * tlcpack serve: the fast path for files (serve.h).
 *
 * libmicrohttpd 0.9.75 sends a file 128 KiB per sendfile(2) outside
 * thread-per-connection mode, and goes back to its event loop between
 * two: 9 sendfile, 8 epoll_wait and 3 setsockopt for bench/serve's 1 MiB
 * wheel, where nginx makes one sendfile.  No option changes the chunk,
 * and on 2 cores that kept tlcpack at 0.89x nginx's MB/s.
 *
 * So this file owns the listening socket, and every connection starts
 * here.  Worker threads, one epoll each with the listening socket in all
 * of them (EPOLLEXCLUSIVE), accept.  For each request the head is peeked
 * (MSG_PEEK: nothing is consumed) and parsed by http_head_parse().  When
 * that takes it and serve__resolve(), the routing of libmicrohttpd's
 * handler too, finds a file (READ_FILE), the head is consumed and
 * answered here: the header with send(MSG_MORE), the body with
 * sendfile(2) for as much as the socket takes at a time; a 304 when
 * If-None-Match or If-Modified-Since says so.  Anything else goes to
 * libmicrohttpd with MHD_add_connection(), before a byte of it is read,
 * and MHD owns the connection from then on: every refusal and error,
 * uploads, ranges, redirects, the landing page, a head that came in two
 * pieces, and all of a --private repository.
 *
 * For the connections it holds, this file does what MHD did for all:
 * the idle timeout, the per-address limit (counted here for every
 * connection, MHD's own off; a handed-off one is released when MHD says
 * it closed, serve__fast_closed()), the access log, the count of
 * requests in flight, and a quiesce that stops accepting, closes idle
 * connections and lets responses in progress end.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "accesslog.h"
#include "reqhead.h"
#include "serve.h"

#include "banned.h"

/* A head longer than this goes to MHD (which takes up to 64 KiB). */
#define PEEK_MAX 8192
/* After accept(2) ran out of descriptors, wait this long (ms). */
#define RELISTEN_MS 100
#define IP_BUCKETS 256

/* One connection that a worker holds. */
struct fast_conn {
	struct fast_conn *prev, *next;	/* least recently active first */
	int fd;
	uint64_t last;			/* ms, CLOCK_MONOTONIC */
	struct sockaddr_storage sa;
	socklen_t salen;

	/* the response in progress: sending */
	bool sending, close_after;
	bool pollout;			/* EPOLLOUT is asked for */
	char head_buf[1024];		/* status line and fields */
	char *out;			/* them, or them and a small body */
	size_t out_len, out_sent;
	int file;			/* the body's file, or -1 */
	off_t off, end;

	/* the request, for the access log */
	time_t when;
	bool head;
	unsigned status;
	uint64_t bytes;
	char *uri, *agent, *referer;
};

struct fast_worker {
	struct serve_fast *f;
	pthread_t thread;
	bool started;
	int ep, wake;
	bool listening;
	uint64_t relisten;		/* ms; 0: not waiting to */
	struct fast_conn *head, *tail;
	/* accepted by another worker for this one (its wake fd is poked) */
	pthread_mutex_t incoming_lock;
	struct fast_conn *incoming;
	char buf[PEEK_MAX];
};

/* Connections per client address (--per-ip). */
struct ip_count {
	struct ip_count *next;
	sa_family_t family;
	unsigned char addr[16];
	unsigned n;
};

struct serve_fast {
	struct serve *s;
	int lfd;
	unsigned nworkers;
	struct fast_worker *w;
	atomic_uint next;		/* the worker for the next connection */
	atomic_bool quiesce, stop;

	pthread_mutex_t lock;		/* quiesce's handshake */
	pthread_cond_t cond;
	unsigned acked;

	pthread_mutex_t ip_lock;
	struct ip_count *ip[IP_BUCKETS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- */
/* the per-address limit */

static size_t ip_key(const struct sockaddr *sa, const unsigned char **addr)
{
	if (sa->sa_family == AF_INET) {
		*addr = (const unsigned char *)
			&((const struct sockaddr_in *)sa)->sin_addr;
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		*addr = (const unsigned char *)
			&((const struct sockaddr_in6 *)sa)->sin6_addr;
		return 16;
	}
	return 0;
}

/* The link that holds @sa's count, or the NULL link that ends its chain;
 * with f->ip_lock held, and @a, @n from ip_key(). */
static struct ip_count **ip_find(struct serve_fast *f, sa_family_t family,
				 const unsigned char *a, size_t n)
{
	struct ip_count **pp;
	unsigned h = 0;

	for (size_t i = 0; i < n; i++)
		h = h * 31 + a[i];
	for (pp = &f->ip[h % IP_BUCKETS]; *pp; pp = &(*pp)->next)
		if ((*pp)->family == family && !memcmp((*pp)->addr, a, n))
			break;
	return pp;
}

/* Count one more connection from @sa; false when that is over --per-ip
 * (or there is no memory to count it). */
static bool ip_take(struct serve_fast *f, const struct sockaddr *sa)
{
	const unsigned char *a;
	size_t n = ip_key(sa, &a);
	struct ip_count **pp, *e;
	bool ok = false;

	if (!f->s->o.per_ip || !n)
		return true;
	pthread_mutex_lock(&f->ip_lock);
	pp = ip_find(f, sa->sa_family, a, n);
	if (!*pp && (*pp = calloc(1, sizeof(**pp)))) {
		(*pp)->family = sa->sa_family;
		memcpy((*pp)->addr, a, n);
	}
	if ((e = *pp) && e->n < f->s->o.per_ip) {
		e->n++;
		ok = true;
	}
	pthread_mutex_unlock(&f->ip_lock);
	return ok;
}

static void ip_release(struct serve_fast *f, const struct sockaddr *sa)
{
	const unsigned char *a;
	size_t n = ip_key(sa, &a);
	struct ip_count **pp, *e;

	if (!f->s->o.per_ip || !n)
		return;
	pthread_mutex_lock(&f->ip_lock);
	pp = ip_find(f, sa->sa_family, a, n);
	if ((e = *pp) && e->n && !--e->n) {
		*pp = e->next;
		free(e);
	}
	pthread_mutex_unlock(&f->ip_lock);
}

void serve__fast_closed(struct serve_fast *f, const struct sockaddr *sa)
{
	if (f && sa)
		ip_release(f, sa);
}

/* ---------------------------------------------------------------- */
/* connections */

static void unlink_conn(struct fast_worker *w, struct fast_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		w->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		w->tail = c->prev;
	c->prev = c->next = NULL;
}

/* @c was active now: to the end of the list (in it or not yet). */
static void touch(struct fast_worker *w, struct fast_conn *c)
{
	c->last = now_ms();
	if (w->tail == c)
		return;
	if (c->prev || w->head == c)
		unlink_conn(w, c);
	c->prev = w->tail;
	if (w->tail)
		w->tail->next = c;
	else
		w->head = c;
	w->tail = c;
}

/* The response in progress is over: log it (@ok false: cut short, 499
 * as request_end() logs it) and forget it. */
static void finish(struct fast_worker *w, struct fast_conn *c, bool ok)
{
	struct serve *s = w->f->s;

	if (s->o.log) {
		char addr[NI_MAXHOST];
		struct http_log_entry e = {
			.addr = addr,
			.when = c->when,
			.method = c->head ? "HEAD" : "GET",
			.uri = c->uri ? c->uri : "-",
			.version = "HTTP/1.1",
			.status = ok ? c->status : 499,
			.bytes = c->bytes,
			.referer = c->referer,
			.agent = c->agent,
		};

		serve__format_addr((struct sockaddr *)&c->sa, c->salen, addr,
				   sizeof(addr));
		http_log_write(s->o.log, &e);
	}
	free(c->uri);
	free(c->agent);
	free(c->referer);
	c->uri = c->agent = c->referer = NULL;
	if (c->out != c->head_buf)
		free(c->out);
	c->out = NULL;
	if (c->file >= 0)
		close(c->file);
	c->file = -1;
	c->sending = false;
	atomic_fetch_sub(&s->inflight, 1);
}

static void conn_close(struct fast_worker *w, struct fast_conn *c)
{
	if (c->sending)
		finish(w, c, false);
	unlink_conn(w, c);
	ip_release(w->f, (struct sockaddr *)&c->sa);
	close(c->fd);	/* leaves the epoll set with it */
	free(c);
}

/* Give @c to libmicrohttpd: its next request has not been read. */
static void handoff(struct fast_worker *w, struct fast_conn *c)
{
	struct sockaddr_storage sa = c->sa;
	socklen_t salen = c->salen;
	int fd = c->fd;

	epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL);
	unlink_conn(w, c);
	free(c);
	/* MHD closes @fd when this fails; a failure comes before it tells
	 * of the connection (MHD_CONNECTION_NOTIFY_STARTED), so the slot
	 * is ours to give back */
	if (MHD_add_connection(w->f->s->d, fd, (struct sockaddr *)&sa,
			       salen) != MHD_YES)
		ip_release(w->f, (struct sockaddr *)&sa);
}

/* ---------------------------------------------------------------- */
/* requests */

enum next { NEXT_WAIT, NEXT_CLOSE, NEXT_HANDOFF, NEXT_SENDING };

/* @sp as a C string in @out, false when it does not fit */
static bool span_copy(char *out, size_t size, const struct http_span *sp)
{
	if (!sp->ptr) {
		out[0] = '\0';
		return true;
	}
	if (sp->len >= size)
		return false;
	memcpy(out, sp->ptr, sp->len);
	out[sp->len] = '\0';
	return true;
}

static char *span_dup(const struct http_span *sp)
{
	return sp->ptr ? strndup(sp->ptr, sp->len < 512 ? sp->len : 512) :
	       NULL;
}

/* The status line and fields of a 200 or a 304 for @rd into c->out:
 * those send_file() in serve.c gives through MHD, in its order. */
static bool format_head(struct fast_conn *c, const struct serve_read *rd,
			const char *etag, const char *lastmod, bool close)
{
	char date[64];
	int n;

	serve__http_date(date, sizeof(date), time(NULL));
	if (c->status == 200)
		n = snprintf(c->head_buf, sizeof(c->head_buf),
			     "HTTP/1.1 200 OK\r\n"
			     "%s"
			     "Date: %s\r\n"
			     "Content-Type: %s\r\n"
			     "ETag: %s\r\n"
			     "Last-Modified: %s\r\n"
			     "Cache-Control: %s\r\n"
			     "Accept-Ranges: bytes\r\n"
			     "%s"
			     "Content-Length: %lld\r\n"
			     "\r\n",
			     close ? "Connection: close\r\n" : "",
			     date, rd->type, etag, lastmod, rd->cache,
			     rd->vary ? "Vary: Accept\r\n" : "",
			     (long long)rd->st.st_size);
	else
		n = snprintf(c->head_buf, sizeof(c->head_buf),
			     "HTTP/1.1 304 Not Modified\r\n"
			     "%s"
			     "Date: %s\r\n"
			     "ETag: %s\r\n"
			     "Last-Modified: %s\r\n"
			     "Cache-Control: %s\r\n"
			     "%s"
			     "\r\n",
			     close ? "Connection: close\r\n" : "",
			     date, etag, lastmod, rd->cache,
			     rd->vary ? "Vary: Accept\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(c->head_buf))
		return false;
	c->out = c->head_buf;
	c->out_len = (size_t)n;
	c->out_sent = 0;
	return true;
}

/*
 * Read the whole small body after the header, so that both go in one
 * send(2) (SERVE_SMALL_FILE_MAX); on any surprise the body is sent from
 * the file as a large one is.
 */
static void take_small(struct fast_conn *c)
{
	size_t size = (size_t)c->end;
	char *buf = malloc(c->out_len + size + 1);

	if (!buf)
		return;
	memcpy(buf, c->out, c->out_len);
	if (!serve__read_whole(c->file, buf + c->out_len, size)) {
		free(buf);
		return;
	}
	c->out = buf;
	c->out_len += size;
	c->end = 0;
}

/*
 * The next request on @c: answered here (NEXT_SENDING), or left unread
 * for MHD (NEXT_HANDOFF); NEXT_WAIT when none has come, NEXT_CLOSE when
 * the client closed or the socket failed.
 */
static enum next next_request(struct fast_worker *w, struct fast_conn *c)
{
	struct serve *s = w->f->s;
	struct http_head h;
	struct serve_read rd;
	char uri[HTTP_HEAD_TARGET_MAX + 1], accept[1024], inm[1024],
	     ims[64], etag[80], lastmod[64];
	enum serve_read_kind k;
	ssize_t n;

	do
		n = recv(c->fd, w->buf, sizeof(w->buf), MSG_PEEK);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return NEXT_CLOSE;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? NEXT_WAIT :
		       NEXT_CLOSE;
	if (s->o.private || atomic_load(&w->f->quiesce) ||
	    !http_head_parse(w->buf, (size_t)n, &h) ||
	    !span_copy(uri, sizeof(uri), &h.target) ||
	    !span_copy(accept, sizeof(accept), &h.accept) ||
	    !span_copy(inm, sizeof(inm), &h.if_none_match) ||
	    !span_copy(ims, sizeof(ims), &h.if_modified_since))
		return NEXT_HANDOFF;
	k = serve__resolve(s, uri, h.accept.ptr ? accept : NULL, &rd);
	tlc_buf_release(&rd.loc);
	if (k != READ_FILE)
		return NEXT_HANDOFF;

	c->when = time(NULL);
	c->head = h.head;
	c->file = rd.fd;
	serve__validators(&rd.st, etag, sizeof(etag), lastmod,
			  sizeof(lastmod));
	c->status = serve__not_modified(h.if_none_match.ptr ? inm : NULL,
					h.if_modified_since.ptr ? ims : NULL,
					etag, rd.st.st_mtim.tv_sec) ? 304 : 200;
	if (!format_head(c, &rd, etag, lastmod, h.close)) {
		close(rd.fd);
		c->file = -1;
		return NEXT_HANDOFF;
	}
	if (s->o.log) {
		c->uri = span_dup(&h.target);
		c->agent = span_dup(&h.user_agent);
		c->referer = span_dup(&h.referer);
	}
	/* the head as peeked is still there: take it off the socket */
	do
		n = recv(c->fd, w->buf, h.len, 0);
	while (n < 0 && errno == EINTR);
	atomic_fetch_add(&s->inflight, 1);
	c->sending = true;
	c->close_after = h.close;
	c->off = 0;
	c->end = c->status == 200 && !c->head ? rd.st.st_size : 0;
	c->bytes = (uint64_t)c->end;
	if (n != (ssize_t)h.len)
		return NEXT_CLOSE;
	if (c->end && c->end <= SERVE_SMALL_FILE_MAX)
		take_small(c);
	if (!c->end) {
		close(c->file);
		c->file = -1;
	}
	return NEXT_SENDING;
}

enum sent { SENT_ALL, SENT_AGAIN, SENT_FAILED };

static enum sent send_more(struct fast_conn *c)
{
	ssize_t n;

	while (c->out_sent < c->out_len) {
		n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
			 MSG_NOSIGNAL | (c->off < c->end ? MSG_MORE : 0));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? SENT_AGAIN : SENT_FAILED;
		c->out_sent += (size_t)n;
	}
	while (c->off < c->end) {
		n = sendfile(c->fd, c->file, &c->off,
			     (size_t)(c->end - c->off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? SENT_AGAIN : SENT_FAILED;
		if (n == 0)
			return SENT_FAILED;	/* the file shrank */
	}
	return SENT_ALL;
}

/*
 * A connection is polled for EPOLLIN only until a send first finds its
 * socket full, then for EPOLLOUT too (edge-triggered, both): a client
 * that reads pages only, which never fill it, causes no wake-up for each
 * ACK that frees send buffer.
 */
static void poll_out(struct fast_worker *w, struct fast_conn *c)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
		.data.ptr = c,
	};

	if (!epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev))
		c->pollout = true;
}

/* Whatever epoll said about @c: go on with it as far as it goes. */
static void conn_run(struct fast_worker *w, struct fast_conn *c)
{
	for (;;) {
		if (c->sending) {
			enum sent r = send_more(c);

			if (r == SENT_AGAIN) {
				touch(w, c);
				if (!c->pollout)
					poll_out(w, c);
				return;
			}
			if (r == SENT_FAILED) {
				conn_close(w, c);
				return;
			}
			finish(w, c, true);
			if (c->close_after || atomic_load(&w->f->quiesce)) {
				conn_close(w, c);
				return;
			}
		}
		switch (next_request(w, c)) {
		case NEXT_WAIT:
			touch(w, c);
			return;
		case NEXT_CLOSE:
			conn_close(w, c);
			return;
		case NEXT_HANDOFF:
			handoff(w, c);
			return;
		case NEXT_SENDING:
			break;
		}
	}
}

/* ---------------------------------------------------------------- */
/* workers */

static void poke_worker(struct fast_worker *w)
{
	uint64_t one = 1;

	if (w->wake >= 0 && write(w->wake, &one, sizeof(one)) < 0)
		return;	/* a full counter wakes it as well */
}

static void poke(struct serve_fast *f)
{
	for (unsigned i = 0; i < f->nworkers; i++)
		poke_worker(&f->w[i]);
}

/* Start polling @c, which this worker holds from now on. */
static void adopt(struct fast_worker *w, struct fast_conn *c)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLRDHUP | EPOLLET,	/* poll_out() */
		.data.ptr = c,
	};

	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		ip_release(w->f, (struct sockaddr *)&c->sa);
		close(c->fd);
		free(c);
		return;
	}
	touch(w, c);
}

static void adopt_incoming(struct fast_worker *w)
{
	struct fast_conn *c, *next;

	pthread_mutex_lock(&w->incoming_lock);
	c = w->incoming;
	w->incoming = NULL;
	pthread_mutex_unlock(&w->incoming_lock);
	for (; c; c = next) {
		next = c->next;
		c->next = NULL;
		adopt(w, c);
	}
}

/*
 * One connection per wake-up (those refused do not count), as nginx's
 * "multi_accept off"; the listening socket stays readable, so epoll
 * wakes a worker again for the next.  Whoever accepts, the connections
 * go to the workers in turn: a burst of clients (wrk's 32 at once) would
 * otherwise land mostly on the first worker to wake, and the clients of
 * the busier one wait longer (bench/serve's page p99).
 */
static void accept_one(struct fast_worker *w)
{
	struct serve_fast *f = w->f;

	for (;;) {
		struct fast_conn *c;
		struct fast_worker *to;
		struct sockaddr_storage sa;
		socklen_t salen = sizeof(sa);
		int fd, one = 1;

		fd = accept4(f->lfd, (struct sockaddr *)&sa, &salen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* the listening socket stays readable: stop
				 * looking at it for a while, not spin */
				epoll_ctl(w->ep, EPOLL_CTL_DEL, f->lfd, NULL);
				w->listening = false;
				w->relisten = now_ms() + RELISTEN_MS;
			}
			return;
		}
		if (!ip_take(f, (struct sockaddr *)&sa)) {
			close(fd);	/* as MHD does over its limit */
			continue;
		}
		if (!(c = calloc(1, sizeof(*c)))) {
			ip_release(f, (struct sockaddr *)&sa);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->file = -1;
		c->sa = sa;
		c->salen = salen;
		/* the header goes with MSG_MORE, the body right after it:
		 * nothing for Nagle to hold back */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		to = &f->w[atomic_fetch_add(&f->next, 1) % f->nworkers];
		if (to == w) {
			adopt(w, c);
		} else {
			pthread_mutex_lock(&to->incoming_lock);
			c->next = to->incoming;
			to->incoming = c;
			pthread_mutex_unlock(&to->incoming_lock);
			poke_worker(to);
		}
		return;
	}
}

static bool listen_on(struct fast_worker *w)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };

	ev.data.ptr = &w->f->lfd;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->f->lfd, &ev) < 0)
		return false;
	w->listening = true;
	w->relisten = 0;
	return true;
}

/* Quiesce: stop accepting, close what is idle, say so. */
static void quiesce_worker(struct fast_worker *w)
{
	struct serve_fast *f = w->f;
	struct fast_conn *c, *next;

	if (w->listening)
		epoll_ctl(w->ep, EPOLL_CTL_DEL, f->lfd, NULL);
	w->listening = false;
	w->relisten = 0;
	for (c = w->head; c; c = next) {
		next = c->next;
		if (!c->sending)
			conn_close(w, c);
	}
	pthread_mutex_lock(&f->lock);
	f->acked++;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* Close what has been idle (or stuck sending) for --timeout; the wait
 * until the next one is due, in ms (-1: none). */
static int sweep(struct fast_worker *w)
{
	uint64_t limit = (uint64_t)w->f->s->o.timeout * 1000, now;
	int wait = -1;

	if (w->relisten)
		wait = RELISTEN_MS;
	if (!limit)
		return wait;
	now = now_ms();
	while (w->head && now - w->head->last >= limit)
		conn_close(w, w->head);
	if (w->head) {
		uint64_t due = w->head->last + limit - now;

		if (wait < 0 || due < (uint64_t)wait)
			wait = (int)due;
	}
	return wait;
}

static void *worker_main(void *data)
{
	struct fast_worker *w = data;
	struct serve_fast *f = w->f;
	struct epoll_event ev[64];
	bool quiesced = false;
	int timeout = -1;

	while (!atomic_load(&f->stop)) {
		int n = epoll_wait(w->ep, ev, 64, timeout);

		for (int i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;

			if (p == &f->lfd) {
				accept_one(w);
			} else if (p == &w->wake) {
				uint64_t v;

				if (read(w->wake, &v, sizeof(v)) < 0 &&
				    errno != EAGAIN)
					continue;
				adopt_incoming(w);
			} else {
				conn_run(w, p);
			}
		}
		if (atomic_load(&f->quiesce) && !quiesced) {
			quiesce_worker(w);
			quiesced = true;
		}
		if (!quiesced && w->relisten && now_ms() >= w->relisten)
			listen_on(w);
		timeout = sweep(w);
	}
	adopt_incoming(w);
	while (w->head)
		conn_close(w, w->head);
	return NULL;
}

/* ---------------------------------------------------------------- */

int serve__fast_start(struct serve_fast **out, struct serve *s, int lfd,
		      unsigned nworkers, struct tlc_error *err)
{
	struct serve_fast *f = calloc(1, sizeof(*f));
	int rc;

	*out = NULL;
	if (!f || !(f->w = calloc(nworkers, sizeof(*f->w)))) {
		free(f);
		close(lfd);
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	}
	f->s = s;
	f->lfd = lfd;
	f->nworkers = nworkers;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	pthread_mutex_init(&f->ip_lock, NULL);
	for (unsigned i = 0; i < nworkers; i++) {
		f->w[i].ep = f->w[i].wake = -1;
		pthread_mutex_init(&f->w[i].incoming_lock, NULL);
	}
	/* set before a worker can hand MHD a connection: MHD looks here
	 * when it closes one; on a failure below too, so that serve_stop()
	 * frees @f after MHD */
	*out = f;
	for (unsigned i = 0; i < nworkers; i++) {
		struct fast_worker *w = &f->w[i];
		struct epoll_event ev = { .events = EPOLLIN };

		w->f = f;
		w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		ev.data.ptr = &w->wake;
		if (w->wake < 0 || w->ep < 0 ||
		    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev) < 0 ||
		    !listen_on(w)) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot set up "
					     "epoll");
			goto fail;
		}
	}
	for (unsigned i = 0; i < nworkers; i++) {
		if ((rc = pthread_create(&f->w[i].thread, NULL, worker_main,
					 &f->w[i]))) {
			errno = rc;
			rc = tlc_error_errno(err, TLC_EIO, "cannot start a "
					     "thread");
			goto fail;
		}
		f->w[i].started = true;
	}
	return 0;
fail:
	serve__fast_stop(f);
	return rc;
}

void serve__fast_quiesce(struct serve_fast *f)
{
	if (!f || atomic_exchange(&f->quiesce, true))
		return;
	poke(f);
	pthread_mutex_lock(&f->lock);
	for (;;) {
		unsigned started = 0;

		for (unsigned i = 0; i < f->nworkers; i++)
			started += f->w[i].started;
		if (f->acked >= started)
			break;
		pthread_cond_wait(&f->cond, &f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	/* no worker looks at it now: new clients are refused */
	close(f->lfd);
	f->lfd = -1;
}

void serve__fast_stop(struct serve_fast *f)
{
	if (!f || atomic_exchange(&f->stop, true))
		return;
	poke(f);
	/* all of them, before a wake fd closes: any may still hand another
	 * a connection until it has stopped */
	for (unsigned i = 0; i < f->nworkers; i++) {
		if (f->w[i].started)
			pthread_join(f->w[i].thread, NULL);
		f->w[i].started = false;
	}
	for (unsigned i = 0; i < f->nworkers; i++) {
		struct fast_worker *w = &f->w[i];

		while (w->incoming) {
			struct fast_conn *c = w->incoming;

			w->incoming = c->next;
			ip_release(f, (struct sockaddr *)&c->sa);
			close(c->fd);
			free(c);
		}
		if (w->ep >= 0)
			close(w->ep);
		if (w->wake >= 0)
			close(w->wake);
		w->ep = w->wake = -1;
	}
	if (f->lfd >= 0)
		close(f->lfd);
	f->lfd = -1;
}

void serve__fast_free(struct serve_fast *f)
{
	if (!f)
		return;
	serve__fast_stop(f);
	for (unsigned i = 0; i < IP_BUCKETS; i++) {
		while (f->ip[i]) {
			struct ip_count *e = f->ip[i];

			f->ip[i] = e->next;
			free(e);
		}
	}
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->ip_lock);
	for (unsigned i = 0; i < f->nworkers; i++)
		pthread_mutex_destroy(&f->w[i].incoming_lock);
	free(f->w);
	free(f);
}
