#pragma once

#include "model/core/session.h"
#include "model/tls/socketfacts.h"
#include "model/tls/tlstap.h"

#include <QByteArray>
#include <QList>
#include <QSslError>

#include <functional>
#include <memory>

namespace TlsLab::Model {

class Timeline;

// Where a connection is, on either end. The server starts in FirstBytes (looking at the first bytes), the client in
// Connecting (TCP); both then go through Handshaking to Encrypted (or Plaintext for a deliberate plaintext client).
enum class ConnectionPhase : quint8 { Connecting, FirstBytes, Handshaking, Encrypted, Plaintext, Done };

// The part of a connection that the listener's connections and the clients share: the session value, recording its
// events on the timeline, turning what the TLS tap saw into events (handshake messages, alerts as they crossed the
// wire, key log lines), and the facts read when the handshake completes.
class SessionRecorder final
{
public:
    SessionRecorder(Timeline *timeline, Side side);
    Q_DISABLE_COPY_MOVE(SessionRecorder)

    Session &session() { return m_session; }
    const Session &session() const { return m_session; }
    quint64 id() const { return m_session.id; }
    Side side() const { return m_session.side; }
    ConnectionPhase phase() const { return m_phase; }
    void setPhase(ConnectionPhase phase) { m_phase = phase; }
    bool isDone() const { return m_phase == ConnectionPhase::Done; }

    void record(EventKind kind, Severity severity, const QString &summary, const EventDetails &details = {});
    void record(const SocketFacts::EventParts &event);
    void publish();
    // Ends the session (state, reason, end time) once; later calls do nothing.
    void finish(SessionState state, const QString &reason = {});

    // The tap of this connection: its items are recorded as they are announced, and before any event this recorder
    // records from a Qt signal (so the timeline keeps the order in which things happened).
    void attachTap(const std::shared_ptr<TlsTap> &tap, QObject *context);
    const std::shared_ptr<TlsTap> &tap() const { return m_tap; }
    // True when alerts come from the tap (the wire) rather than from Qt's alertSent/alertReceived signals.
    bool tapSeesAlerts() const { return m_tap && m_tap->isBound() && m_tap->options().messages; }
    void drainTap();
    // Called with each key log line (no newline) when key logging is on.
    void setKeyLogSink(std::function<void(const QByteArray &)> sink) { m_keyLogSink = std::move(sink); }

    // Qt's alert signals, used only when the tap does not see alerts.
    void qtAlert(bool sent, QSsl::AlertLevel level, QSsl::AlertType type, const QString &description);
    // The last fatal alert received from the peer, and sent by this end ("unknown_ca"), empty if none.
    QString lastAlertReceived() const { return m_lastAlertReceived; }
    QString lastAlertSent() const { return m_lastAlertSent; }

    // Verification errors the tap's own verification found (it rejects on the first), as QSslErrors, recorded.
    QList<QSslError> recordTapVerifyFailures(const QString &whose);

    // Reads protocol, cipher, ALPN, group, resumption and the peer chain once the socket is encrypted.
    void readEncrypted(const QSslSocket &socket);

    void recordData(bool sent, const QByteArray &data, bool withText = false);
    // The first bytes the peer sent, as the tap saw them on the wire (empty without the tap).
    QByteArray receivedWirePrefix(qsizetype max) const;

private:
    void recordTapItem(const TapItem &item);
    // Records an event at the time the tap saw it (which may be a moment before it is recorded).
    void stamp(qint64 timeUs, EventKind kind, Severity severity, const QString &summary, const EventDetails &details);

    Timeline *m_timeline;
    Session m_session;
    ConnectionPhase m_phase = ConnectionPhase::Connecting;
    std::shared_ptr<TlsTap> m_tap;
    std::function<void(const QByteArray &)> m_keyLogSink;
    QString m_lastAlertReceived;
    QString m_lastAlertSent;
    bool m_helloSeen = false;
    quint16 m_negotiatedVersion = 0; // from the ServerHello: picks the TLS 1.3 or 1.2 layout of later messages
};

} // namespace TlsLab::Model
