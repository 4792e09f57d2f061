package com.claudemesh.broker.bench;

import com.claudemesh.broker.bench.BenchMesh.BenchMember;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * One client session as a claudemesh CLI holds it: hello, then sends and pushes, over a {@link
 * BenchSocket}. Sender threads write their frames straight to the socket (which serialises them),
 * pushes are decrypted on the socket's handler thread, one at a time and in order, and pings are
 * answered by the socket's reader, which is what confirms deliveries (PROTOCOL A.6).
 */
final class BenchPeer implements BenchSocket.Listener, BenchSession {

    /** What every peer of a run shares. */
    record Context(
            BenchCrypto crypto,
            Ledger ledger,
            BenchMesh mesh,
            Map<String, Integer> indexByPubkey,
            boolean broadcasts,
            JsonMapper json) {}

    private record Pending(int seq, int deliveries) {}

    /**
     * The fields of a broker frame the peer reads ({@code ""} when absent, {@code code} then
     * {@code "unknown"}). Streamed rather than read as a tree: a tree per frame was much of the
     * generator's garbage and parsing time.
     */
    private record Received(String type, String id, String code, String senderPubkey, String nonce, String ciphertext) {

        /** Null when the frame is not a JSON object, or not JSON at all. */
        static Received parse(JsonMapper json, byte[] message) {
            String type = "";
            String id = "";
            String code = "unknown";
            String senderPubkey = "";
            String nonce = "";
            String ciphertext = "";
            try (JsonParser parser = json.createParser(message)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                    JsonToken value = parser.nextToken();
                    if (value.isStructStart()) {
                        parser.skipChildren();
                        continue;
                    }
                    if (value == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    switch (name) {
                        case "type" -> type = parser.getString();
                        case "id" -> id = parser.getString();
                        case "code" -> code = parser.getString();
                        case "senderPubkey" -> senderPubkey = parser.getString();
                        case "nonce" -> nonce = parser.getString();
                        case "ciphertext" -> ciphertext = parser.getString();
                        default -> {
                            // not needed by the peer
                        }
                    }
                }
            } catch (JacksonException e) {
                return null;
            }
            return new Received(type, id, code, senderPubkey, nonce, ciphertext);
        }
    }

    /** The broker ended the session before hello_ack (its error code was counted on its own). */
    static final class HelloRefused extends RuntimeException {
        HelloRefused(String why) {
            super(why, null, false, false);
        }
    }

    private static final Base64.Encoder B64 = Base64.getEncoder();
    /** More permits than any sender can be waiting for. */
    private static final int WINDOW_WAKE_PERMITS = 1 << 20;

    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final int NORMAL_CLOSURE = 1000;

    private final BenchMember member;
    private final Context context;
    private final Semaphore window;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Long> helloAcked = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile BenchSocket socket;
    private volatile boolean closing;

    BenchPeer(BenchMember member, Context context, int window) {
        this.member = member;
        this.context = context;
        this.window = new Semaphore(window);
    }

    int index() {
        return member.index();
    }

    /** Opens the socket and says hello; completes with the hello round trip in nanoseconds. */
    CompletableFuture<Long> connect(int port, Duration timeout) {
        long start = System.nanoTime();
        Thread.ofVirtual().name("peer-" + index() + "-connect").start(() -> {
            BenchSocket opened;
            try {
                opened = BenchSocket.open(port, timeout, this, "peer-" + index());
            } catch (IOException e) {
                helloAcked.completeExceptionally(e);
                closed.complete(-1);
                return;
            }
            socket = opened;
            if (closing) {
                // the run gave up on this session while its handshake was still going on
                opened.close();
                return;
            }
            write(hello(member, context.crypto()));
        });
        return helloAcked.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).thenApply(acked -> acked - start);
    }

    /** The signed hello of PROTOCOL A.3 (signature over {@code meshId|memberId|pubkey|timestamp}). */
    static String hello(BenchMember member, BenchCrypto crypto) {
        long now = System.currentTimeMillis();
        String signature = crypto.signHello(member.meshId(), member.memberId(), member.keys(), now);
        return "{\"type\":\"hello\",\"meshId\":\"" + member.meshId() + "\",\"memberId\":\"" + member.memberId()
                + "\",\"pubkey\":\"" + member.keys().publicKeyHex() + "\",\"sessionId\":\"bench-" + member.index()
                + "\",\"pid\":" + ProcessHandle.current().pid() + ",\"cwd\":\"/bench/" + member.index()
                + "\",\"timestamp\":" + now + ",\"signature\":\"" + signature + "\"}";
    }

    /**
     * Waits for a free slot of the unacked window; false when the deadline passed first or the
     * socket is gone (acks will never come, so a sender must not wait for them until the deadline).
     */
    boolean awaitWindow(long deadlineNanos) throws InterruptedException {
        return window.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)
                && !closed.isDone();
    }

    /** Sends direct message {@code seq} (priority now) to {@code recipient}. */
    void sendDirect(int seq, BenchPeer recipient) {
        long now = System.nanoTime();
        byte[] plain = context.ledger().plaintext(index(), seq, recipient.index(), now);
        byte[] nonce = context.crypto().nonce();
        byte[] cipher =
                context.crypto().box(plain, nonce, index(), member.keys(), recipient.index(), recipient.member.keys());
        send(seq, 1, recipient.member.keys().publicKeyHex(), nonce, cipher, now);
    }

    /** Sends broadcast {@code seq} to every other member of the mesh ({@code members} of them). */
    void sendBroadcast(int seq, int members) {
        long now = System.nanoTime();
        byte[] plain = context.ledger().plaintext(index(), seq, Ledger.BROADCAST, now);
        byte[] nonce = context.crypto().nonce();
        byte[] cipher = context.crypto().seal(plain, nonce, context.mesh().meshKey(member.meshId()));
        send(seq, members - 1, "*", nonce, cipher, now);
    }

    private void send(int seq, int deliveries, String target, byte[] nonce, byte[] cipher, long now) {
        String id = index() + "." + seq;
        context.ledger().sending(index(), seq, deliveries, now);
        pending.put(id, new Pending(seq, deliveries));
        write("{\"type\":\"send\",\"id\":\"" + id + "\",\"targetSpec\":\"" + target
                + "\",\"priority\":\"now\",\"nonce\":\"" + B64.encodeToString(nonce) + "\",\"ciphertext\":\""
                + B64.encodeToString(cipher) + "\"}");
    }

    private void write(String frame) {
        BenchSocket current = socket;
        try {
            current.sendText(frame);
        } catch (IOException e) {
            // The reader sees the broken connection too and ends the session (socket_error).
            current.close();
        }
    }

    @Override
    public void onText(byte[] message) {
        long now = System.nanoTime();
        Ledger ledger = context.ledger();
        Received frame = Received.parse(context.json(), message);
        if (frame == null) {
            ledger.error("unparseable_frame");
            return;
        }
        String type = frame.type();
        switch (type) {
            case "push" -> onPush(frame, now);
            case "ack" -> {
                Pending p = pending.remove(frame.id());
                if (p == null) {
                    ledger.error("ack_without_send");
                    return;
                }
                ledger.acked(index(), p.seq(), now);
                window.release();
            }
            case "hello_ack" -> helloAcked.complete(now);
            case "error" -> {
                String code = frame.code();
                Pending p = pending.remove(frame.id());
                if (p != null) {
                    ledger.rejected(index(), p.seq(), p.deliveries(), code);
                    window.release();
                } else {
                    ledger.error(code);
                    helloAcked.completeExceptionally(new HelloRefused("broker refused hello: " + code));
                }
            }
            default -> ledger.error("frame_" + type);
        }
    }

    private void onPush(Received frame, long now) {
        Integer sender = context.indexByPubkey().get(frame.senderPubkey());
        byte[] plain = null;
        if (sender != null) {
            try {
                byte[] nonce = B64D.decode(frame.nonce());
                byte[] cipher = B64D.decode(frame.ciphertext());
                plain = context.broadcasts()
                        ? context.crypto().unseal(cipher, nonce, context.mesh().meshKey(member.meshId()))
                        : context.crypto().open(cipher, nonce, index(), member.keys(), sender, keysOf(sender));
            } catch (IllegalArgumentException e) {
                plain = null;
            }
        }
        context.ledger().received(index(), sender == null ? -2 : sender, plain, now);
    }

    private BenchCrypto.MemberKeys keysOf(int index) {
        return context.mesh().members().get(index).keys();
    }

    @Override
    public void onEnd(int code, String reason, IOException failure) {
        if (!closing) {
            context.ledger().error(failure != null ? "socket_error" : "closed_by_broker_" + code);
        }
        helloAcked.completeExceptionally(failure != null ? failure : new HelloRefused("closed " + code + " " + reason));
        closed.complete(failure != null ? -1 : code);
        wakeSenders();
    }

    /** A sender blocked on the window sees the closed socket at once. */
    private void wakeSenders() {
        window.release(WINDOW_WAKE_PERMITS);
    }

    @Override
    public boolean open() {
        return helloAcked.isDone() && !helloAcked.isCompletedExceptionally() && !closed.isDone();
    }

    /** Orderly close (1000) after everything queued has been written; aborts after {@code timeout}. */
    @Override
    public CompletableFuture<Integer> close(Duration timeout) {
        closing = true;
        BenchSocket opened = socket;
        if (opened == null || closed.isDone()) {
            return CompletableFuture.completedFuture(-1);
        }
        try {
            opened.sendClose(NORMAL_CLOSURE);
        } catch (IOException e) {
            opened.close();
            return CompletableFuture.completedFuture(-1);
        }
        return closed.completeOnTimeout(-1, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((code, failure) -> opened.close());
    }
}
