#pragma once

#include "model/capture/sessionwire.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>

namespace TlsLab::Model {

class Timeline;

// Where each session's wire bytes and key log lines wait until someone exports them (the Wireshark export, the
// capture file). One per timeline, a child of it (of()); the SessionRecorder of each connection finds it with
// find() and hands over what its tap kept. Thread-safe: connections may record from other threads.
//
// Memory is bounded twice: the tap keeps at most its wire limit per connection, and the store keeps at most
// byteLimit() in all (bytes and key log lines), forgetting the oldest sessions first.
class WireStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WireStore)

public:
    // The store of this timeline, made on first use (call it from the timeline's thread).
    static WireStore *of(Timeline *timeline);
    // The store of this timeline if one was made, else nullptr. Safe from any thread.
    static WireStore *find(const Timeline *timeline);

    ~WireStore() override;

    void addWire(quint64 session, const QList<WireChunk> &chunks, bool truncated);
    void addKeyLogLine(quint64 session, const QByteArray &line);

    SessionWire wire(quint64 session) const; // empty (session 0) if nothing is kept
    QList<quint64> sessions() const; // those with anything kept, oldest first
    qsizetype bytesKept() const;
    qsizetype byteLimit() const;
    void setByteLimit(qsizetype bytes);
    qsizetype sessionsDropped() const; // sessions forgotten for the limit

    static constexpr qsizetype DefaultByteLimit = 64 * 1024 * 1024;

Q_SIGNALS:
    // Emitted in the thread that added them.
    void wireAdded(quint64 session);
    void keyLogLineAdded(quint64 session, const QByteArray &line);

private:
    explicit WireStore(Timeline *timeline);
    void enforceLimitLocked();

    const Timeline *m_timeline;
    mutable QMutex m_mutex;
    QHash<quint64, SessionWire> m_wire;
    QList<quint64> m_order;
    qsizetype m_bytes = 0;
    qsizetype m_limit = DefaultByteLimit;
    qsizetype m_dropped = 0;
};

} // namespace TlsLab::Model
