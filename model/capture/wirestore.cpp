#include "model/capture/wirestore.h"

#include "model/timeline/timeline.h"

namespace TlsLab::Model {

namespace {

// A registry instead of QObject::findChild: connections look the store up from their own threads.
QMutex registryMutex;
QHash<const Timeline *, WireStore *> &registry()
{
    static QHash<const Timeline *, WireStore *> stores;
    return stores;
}

} // namespace

qsizetype SessionWire::byteSize() const
{
    qsizetype size = 0;
    for (const WireChunk &chunk : chunks)
        size += chunk.bytes.size();
    for (const QByteArray &line : keyLogLines)
        size += line.size();
    return size;
}

WireStore *WireStore::of(Timeline *timeline)
{
    if (WireStore *existing = find(timeline))
        return existing;
    return new WireStore(timeline);
}

WireStore *WireStore::find(const Timeline *timeline)
{
    const QMutexLocker locker(&registryMutex);
    return registry().value(timeline);
}

WireStore::WireStore(Timeline *timeline)
    : QObject(timeline)
    , m_timeline(timeline)
{
    const QMutexLocker locker(&registryMutex);
    registry().insert(timeline, this);
}

WireStore::~WireStore()
{
    const QMutexLocker locker(&registryMutex);
    registry().remove(m_timeline);
}

void WireStore::addWire(quint64 session, const QList<WireChunk> &chunks, bool truncated)
{
    if (chunks.isEmpty())
        return;
    {
        const QMutexLocker locker(&m_mutex);
        auto it = m_wire.find(session);
        if (it == m_wire.end()) {
            it = m_wire.insert(session, SessionWire {session, {}, false, {}});
            m_order.append(session);
        }
        for (const WireChunk &chunk : chunks)
            m_bytes += chunk.bytes.size();
        it->chunks += chunks;
        it->truncated = it->truncated || truncated;
        enforceLimitLocked();
    }
    Q_EMIT wireAdded(session);
}

void WireStore::addKeyLogLine(quint64 session, const QByteArray &line)
{
    {
        const QMutexLocker locker(&m_mutex);
        auto it = m_wire.find(session);
        if (it == m_wire.end()) {
            it = m_wire.insert(session, SessionWire {session, {}, false, {}});
            m_order.append(session);
        }
        it->keyLogLines.append(line);
        m_bytes += line.size();
        enforceLimitLocked();
    }
    Q_EMIT keyLogLineAdded(session, line);
}

void WireStore::enforceLimitLocked()
{
    // Oldest first, whole sessions (bytes and key log lines together: one without the other exports nothing
    // useful); the newest session stays even alone over the limit (the tap capped it already).
    while (m_bytes > m_limit && m_order.size() > 1) {
        const SessionWire old = m_wire.take(m_order.takeFirst());
        m_bytes -= old.byteSize();
        ++m_dropped;
    }
}

SessionWire WireStore::wire(quint64 session) const
{
    const QMutexLocker locker(&m_mutex);
    return m_wire.value(session);
}

QList<quint64> WireStore::sessions() const
{
    const QMutexLocker locker(&m_mutex);
    return m_order;
}

qsizetype WireStore::bytesKept() const
{
    const QMutexLocker locker(&m_mutex);
    return m_bytes;
}

qsizetype WireStore::byteLimit() const
{
    const QMutexLocker locker(&m_mutex);
    return m_limit;
}

void WireStore::setByteLimit(qsizetype bytes)
{
    const QMutexLocker locker(&m_mutex);
    m_limit = bytes;
    enforceLimitLocked();
}

qsizetype WireStore::sessionsDropped() const
{
    const QMutexLocker locker(&m_mutex);
    return m_dropped;
}

} // namespace TlsLab::Model
