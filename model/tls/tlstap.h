#pragma once

#include <QByteArray>
#include <QList>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

QT_FORWARD_DECLARE_CLASS(QObject)
QT_FORWARD_DECLARE_CLASS(QSslSocket)

struct ssl_st;

namespace TlsLab::Model {

// One thing the tap saw inside a TLS connection, in the order it happened.
struct TapItem
{
    enum class Kind : quint8 {
        Handshake, // a handshake message, header included (decrypted when it travelled encrypted)
        ChangeCipherSpec,
        Alert, // an alert received from the peer (2 bytes: level, description)
        AlertSent, // an alert this end produced whose bytes have left for the peer
        AlertNotSent, // an alert this end produced whose bytes never left (the connection went first)
        KeyLogLine, // one SSLKEYLOGFILE line, without the newline
    };
    Kind kind = Kind::Handshake;
    bool sent = false; // written by this end, or read from the peer
    bool encrypted = false; // carried in an encrypted record
    qint64 timeUs = 0;
    QByteArray bytes;
    int records = 0; // a received handshake message: TLS records that carried it so far (first flight: all of it)
    int reads = 0; // a received handshake message: socket reads handed to OpenSSL so far
};

// Bytes as they crossed the wire, one chunk per transfer between Qt and OpenSSL.
struct WireChunk
{
    qint64 timeUs = 0;
    bool sent = false;
    QByteArray bytes;
};

// A certificate verification failure seen by the tap's own verification callback.
struct TapVerifyFailure
{
    int x509Error = 0; // X509_V_ERR_*
    int depth = 0; // 0: the leaf
    QByteArray certificateDer;
};

// The one place that sees every TLS context and connection Qt creates (OpenSSL ex-data hooks, registered before Qt's
// TLS backend starts; see QT-TLS-FACTS.md), and the per-connection tap that those hooks attach: each handshake message
// sent and received (decrypted), alerts as they cross the wire, the wire bytes, key log lines, the negotiated group
// and resumption, and two behaviours Qt does not offer: a verification that rejects with a real fatal alert, and a
// listener ALPN choice that refuses a client with no protocol in common.
//
// Binding: Qt creates a connection's SSL object synchronously inside QSslSocket::startServerEncryption() and
// startClientEncryption(). A Scope around that call binds the SSL created inside it to the tap; no private Qt API is
// needed. OpenSSL callbacks only append to the tap and post one queued notification to the owner: they never touch a
// socket. The tap outlives its SSL (shared ownership), and its BIO callbacks are detached when the SSL is freed.
class TlsTap final : public std::enable_shared_from_this<TlsTap>
{
public:
    enum class Verify : quint8 {
        Qt, // leave verification to Qt (errors are collected by Qt and decided after the handshake)
        RejectWithAlert, // the first verification error aborts the handshake with the matching fatal alert
    };

    struct Options
    {
        bool messages = true; // record handshake messages and alerts
        bool keyLog = false; // collect key log lines (only when the user asked for a key log)
        qsizetype wireLimit = 1024 * 1024; // wire bytes kept per connection, both directions; 0 keeps none
        Verify verify = Verify::Qt;
        bool requirePeerCertificate = false; // with RejectWithAlert on a server: no certificate is a failure
        QString verifyName; // client with RejectWithAlert: the host name or address the certificate must match
        bool stableTickets = false; // server: session tickets any connection of this process can resume
        QList<QByteArray> serverAlpn; // server: choose from these, and refuse (no_application_protocol) on no overlap
        // Server asking for a client certificate: the CAs it accepts (DER), named in its CertificateRequest as
        // openssl s_server -CAfile does, so that clients can pick the right certificate.
        QList<QByteArray> clientCaCertificatesDer;
    };

    // Registers the OpenSSL hooks; idempotent. Runs on its own before main() (a static initializer in tlstap.cpp),
    // because Qt's backend must start after it; calling it again is harmless.
    static void install();
    // Whether the hooks are in place (they are unless OpenSSL refused an ex-data index).
    static bool isAvailable();

    static std::shared_ptr<TlsTap> create(const Options &options);
    ~TlsTap();

    // Binds the first SSL object created while it lives to the tap. Put it around startServerEncryption() or
    // startClientEncryption(). One at a time per thread.
    class Scope
    {
    public:
        explicit Scope(const std::shared_ptr<TlsTap> &tap);
        ~Scope();
        Q_DISABLE_COPY_MOVE(Scope)

    private:
        TlsTap *m_previous;
    };

    // A server's first bytes, as they were in the socket when the handshake started: OpenSSL may have consumed
    // some of them before the tap's first callback, and they belong to the wire record.
    void setEarlyIncoming(const QByteArray &bytes) { m_earlyIncoming = bytes; }

    // The peer closed its side: let OpenSSL see the end of input, so that a half-received record is answered as
    // a TLS server answers it (decode_error), not with silence.
    void signalEndOfInput();

    // Sends what OpenSSL wrote and Qt has not taken out of the write BIO (a fatal alert Qt cannot deliver any more)
    // straight to the socket descriptor. Returns the number of bytes sent; on failure the bytes stay unsent.
    qsizetype sendPendingOutput(qintptr descriptor);

    // New items are announced once per event-loop turn through onItems, called (queued) in context's thread.
    void setReceiver(QObject *context, std::function<void()> onItems);
    QList<TapItem> takeItems();

    bool isBound() const { return m_bound; }
    bool isAlive() const { return m_ssl != nullptr; } // the SSL object still exists
    const Options &options() const { return m_options; }
    QList<TapVerifyFailure> verifyFailures() const { return m_verifyFailures; }
    // The certificates the peer sent (DER, leaf first), kept when its verification failed: Qt has none to give then.
    QList<QByteArray> sentChain() const { return m_sentChain; }
    QList<WireChunk> wire() const { return m_wire; }
    bool wireTruncated() const { return m_wireTruncated; }
    quint64 bytesReceived() const { return m_bytesIn; }
    quint64 bytesSent() const { return m_bytesOut; }
    qint64 lastReceivedUs() const { return m_lastInUs; }
    // Read from the live SSL object (empty/false once it is gone; read them when the handshake completes).
    QString negotiatedGroup() const; // "x25519", "secp256r1", "X25519MLKEM768", ...
    bool sessionReused() const;
    QByteArray selectedAlpn() const;
    int protocolVersion() const; // 0x0304, ...; 0 when unknown

    // The shared TLS context adaptor (Qt private API when built with it, otherwise no-ops): the context a finished
    // handshake used, and giving it to a socket before its handshake so later connections reuse it.
    static std::shared_ptr<void> contextOf(QSslSocket *socket);
    static void reuseContext(QSslSocket *socket, const std::shared_ptr<void> &context);

    // OpenSSL entry points (public for the C callbacks in tlstap.cpp only).
    struct Callbacks;

private:
    explicit TlsTap(const Options &options);
    void push(TapItem item);
    void addWire(bool sent, const char *data, size_t size);
    void bind(ssl_st *ssl);
    void attachBios();
    void applyOverrides(); // verification, client CA names, ALPN choice: what Qt does not offer
    void released();

    Options m_options;
    QByteArray m_alpnWire; // serverAlpn in wire format
    QByteArray m_earlyIncoming;
    ssl_st *m_ssl = nullptr;
    bool m_bound = false;
    bool m_biosAttached = false;
    QList<TapItem> m_items;
    QPointer<QObject> m_context;
    std::function<void()> m_onItems;
    bool m_posted = false;
    QList<TapVerifyFailure> m_verifyFailures;
    QList<QByteArray> m_sentChain;
    QList<WireChunk> m_wire;
    qsizetype m_wireBytes = 0;
    bool m_wireTruncated = false;
    quint64 m_bytesIn = 0;
    quint64 m_bytesOut = 0;
    qint64 m_lastInUs = 0;
    int m_recordsIn = 0;
    int m_readsIn = 0;
    // Per direction (0: received, 1: sent): outer type of the last record header and whether CCS was seen.
    int m_lastOuterType[2] = {0, 0};
    bool m_ccsSeen[2] = {false, false};
    struct PendingAlert
    {
        quint64 endOffset; // leaves once this many bytes were read out of the write BIO
        TapItem item;
    };
    QList<PendingAlert> m_pendingAlerts;
};

} // namespace TlsLab::Model
