//! The `io` scenario: an echo server on 127.0.0.1 (an ephemeral port, started and stopped by
//! the scenario) and N clients, all tasks of the one loop. Only loopback traffic, a fixed
//! number of small requests per client. Every connection waits on its socket, so thousands
//! of them wait at once on one thread: what `asyncio.start_server` and `open_connection` do.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Notify, mpsc};

use super::context::{Ctx, join, spawn_many};
use super::figures::{Inside, Knobs};
use super::tracker::{SOLO, TaskEnd, WaitKind, waiting_on};

/// How many request/echo round trips each client makes before it closes.
pub const REQUESTS_PER_CLIENT: u32 = 5;
/// How many connections may wait to be accepted (the kernel may cap it lower).
pub const LISTEN_BACKLOG: u32 = 4_096;
/// The size of one request line, bytes.
pub const MESSAGE_BYTES: usize = 32;
/// After an accept error (e.g. out of file descriptors), wait this long before retrying.
const ACCEPT_RETRY_MS: u64 = 10;
/// File descriptors kept free for everything else in the process.
const SPARE_FDS: u64 = 64;

/// The scenario body: start the server, run the clients, stop the server, wait until
/// every server-side connection is closed.
pub async fn run(ctx: Arc<Ctx>) -> TaskEnd {
    raise_fd_limit(u64::from(ctx.settings.clients) * 2 + SPARE_FDS);
    let Ok(listener) = bind() else {
        return TaskEnd::Failed;
    };
    let Ok(addr) = listener.local_addr() else {
        return TaskEnd::Failed;
    };
    let shutdown = Arc::new(Notify::new());
    // Every connection handler holds a sender; `recv()` is `None` once all have closed.
    let (open_tx, mut open) = mpsc::channel::<()>(1);
    let server = ctx.tracker.spawn(
        "server",
        SOLO,
        serve(Arc::clone(&ctx), listener, Arc::clone(&shutdown), open_tx),
    );
    let clients = spawn_many(&ctx, "client", ctx.settings.clients, move |i, c| {
        client(c, addr, i + 1)
    })
    .await;
    for c in clients {
        join(c).await;
    }
    shutdown.notify_one();
    join(server).await;
    let _ = waiting_on(WaitKind::Task, open.recv()).await;
    TaskEnd::Done
}

fn bind() -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    socket.listen(LISTEN_BACKLOG)
}

/// The accept loop: one handler task per connection, until told to shut down.
async fn serve(
    ctx: Arc<Ctx>,
    listener: TcpListener,
    shutdown: Arc<Notify>,
    open: mpsc::Sender<()>,
) -> TaskEnd {
    let mut accepted = 0u32;
    loop {
        tokio::select! {
            biased;
            () = shutdown.notified() => return TaskEnd::Done,
            conn = waiting_on(WaitKind::Io, listener.accept()) => match conn {
                Ok((stream, _)) => {
                    accepted += 1;
                    ctx.figures.connections_accepted.fetch_add(1, Ordering::Relaxed);
                    let handler = handle(Arc::clone(&ctx), stream, open.clone());
                    ctx.tracker.spawn("conn", accepted, handler);
                }
                Err(_) => ctx.sleep(ACCEPT_RETRY_MS).await,
            },
        }
    }
}

/// One server-side connection: echo each request after the server delay, until EOF.
async fn handle(ctx: Arc<Ctx>, mut stream: TcpStream, _open: mpsc::Sender<()>) -> TaskEnd {
    let connection = Inside::enter(&ctx.figures, |f| &f.connections);
    let mut buf = [0u8; 4 * MESSAGE_BYTES];
    let end = loop {
        let n = match waiting_on(WaitKind::Io, stream.read(&mut buf)).await {
            Ok(0) => break TaskEnd::Done,
            Ok(n) => n,
            Err(_) => break TaskEnd::Failed,
        };
        ctx.sleep(Knobs::get(&ctx.knobs.server_delay_ms)).await;
        if waiting_on(WaitKind::Io, stream.write_all(&buf[..n]))
            .await
            .is_err()
        {
            break TaskEnd::Failed;
        }
    };
    drop(stream);
    drop(connection);
    ctx.figures
        .connections_closed
        .fetch_add(1, Ordering::Relaxed);
    end
}

/// One client: connect, make the round trips, close, wait for the server to close too.
async fn client(ctx: Arc<Ctx>, addr: SocketAddr, id: u32) -> TaskEnd {
    let f = &ctx.figures;
    let now = ctx.tracker.counters().now_ns();
    let _ = f
        .io_first_ns
        .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
    let talk = async {
        let mut stream = waiting_on(WaitKind::Io, TcpStream::connect(addr)).await?;
        let mut echo = [0u8; MESSAGE_BYTES];
        for r in 0..REQUESTS_PER_CLIENT {
            let request = request_line(id, r);
            waiting_on(WaitKind::Io, stream.write_all(&request)).await?;
            waiting_on(WaitKind::Io, stream.read_exact(&mut echo)).await?;
            if echo != request {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "bad echo"));
            }
            f.requests.fetch_add(1, Ordering::Relaxed);
        }
        waiting_on(WaitKind::Io, stream.shutdown()).await?;
        // The server sees EOF, closes its side; our read then returns 0.
        let _ = waiting_on(WaitKind::Io, stream.read(&mut echo)).await?;
        Ok::<(), io::Error>(())
    };
    let result = talk.await;
    f.io_last_ns
        .fetch_max(ctx.tracker.counters().now_ns(), Ordering::Relaxed);
    match result {
        Ok(()) => TaskEnd::Done,
        Err(_) => {
            f.client_errors.fetch_add(1, Ordering::Relaxed);
            TaskEnd::Failed
        }
    }
}

/// `client 12 request 3`, padded with spaces to [`MESSAGE_BYTES`] and ended by a newline.
fn request_line(id: u32, r: u32) -> [u8; MESSAGE_BYTES] {
    let mut line = [b' '; MESSAGE_BYTES];
    let text = format!("client {id} request {r}");
    let n = text.len().min(MESSAGE_BYTES - 1);
    line[..n].copy_from_slice(&text.as_bytes()[..n]);
    line[MESSAGE_BYTES - 1] = b'\n';
    line
}

/// Raises this process's soft limit on open files towards `wanted` (never above the hard
/// limit), so a thousand connections fit where the default is 1,024. Best effort.
fn raise_fd_limit(wanted: u64) {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return;
            }
            let wanted = wanted as libc::rlim_t;
            if limit.rlim_cur < wanted {
                limit.rlim_cur = wanted.min(limit.rlim_max);
                let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = wanted;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_have_a_fixed_size() {
        let line = request_line(4_999, 4);
        assert_eq!(line.len(), MESSAGE_BYTES);
        assert!(line.starts_with(b"client 4999 request 4"));
        assert_eq!(line[MESSAGE_BYTES - 1], b'\n');
    }
}
