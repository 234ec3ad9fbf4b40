#include "model/timeline/timeline.h"

#include <QCborValue>
#include <QMetaMethod>
#include <QReadLocker>
#include <QString>
#include <QWriteLocker>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <utility>

namespace TlsLab::Model {

namespace {
constexpr quint64 ChunkSize = 4 * 1024 * 1024;

// "server address:port|client address:port", the same for both ends of one connection.
QString endpointKey(const Session &s)
{
    const QString local = s.localAddress + u':' + QString::number(s.localPort);
    const QString peer = s.peerAddress + u':' + QString::number(s.peerPort);
    return s.side == Side::Server ? local + u'|' + peer : peer + u'|' + local;
}
} // namespace

bool EventFilter::acceptsAll() const
{
    return sessions.isEmpty() && (sideMask & 0b11) == 0b11 && minimumSeverity == Severity::Debug
        && kindMask == ~quint64(0) && text.isEmpty();
}

Timeline::Timeline(QObject *parent)
    : QObject(parent)
{ }

Timeline::~Timeline() = default;

void Timeline::append(const Event &event)
{
    if (!m_keepsHistory) {
        Q_EMIT eventAppended(event);
        return;
    }
    const QByteArray &details = event.details.encodedFields();
    {
        QWriteLocker locker(&m_lock);
        // The summary is encoded to UTF-8 straight into the arena: no temporary copy per event.
        const qsizetype maxSummary = event.summary.size() * 3;
        const quint64 offset = arenaReserve(quint64(maxSummary + details.size()));
        char *dst = arenaAtMutable(offset);
        char *end = m_encoder.appendToBuffer(dst, event.summary);
        const auto summaryBytes = quint32(end - dst);
        if (!details.isEmpty())
            std::memcpy(end, details.constData(), size_t(details.size()));
        m_arenaUsed = offset + summaryBytes + quint64(details.size());
        m_records.push_back(Record {event.timeUs, event.session, offset, summaryBytes, quint32(details.size()),
            event.side, event.kind, event.severity});
        trimLocked();
    }
    Q_EMIT eventAppended(event);
    announceSoon();
}

void Timeline::appendEncoded(const EventHeader &header, QByteArrayView summaryUtf8, QByteArrayView details)
{
    const bool consumers = isSignalConnected(QMetaMethod::fromSignal(&Timeline::eventAppended));
    if (m_keepsHistory) {
        QWriteLocker locker(&m_lock);
        const auto bytes = quint64(summaryUtf8.size() + details.size());
        const quint64 offset = arenaReserve(bytes);
        char *dst = arenaAtMutable(offset);
        if (!summaryUtf8.isEmpty())
            std::memcpy(dst, summaryUtf8.data(), size_t(summaryUtf8.size()));
        if (!details.isEmpty())
            std::memcpy(dst + summaryUtf8.size(), details.data(), size_t(details.size()));
        m_arenaUsed = offset + bytes;
        m_records.push_back(Record {header.timeUs, header.session, offset, quint32(summaryUtf8.size()),
            quint32(details.size()), header.side, header.kind, header.severity});
        trimLocked();
    }
    if (consumers) {
        Q_EMIT eventAppended(Event {header.timeUs, header.session, header.side, header.kind, header.severity,
            QString::fromUtf8(summaryUtf8), EventDetails::fromEncodedFields(details.toByteArray())});
    }
}

void Timeline::announceSoon()
{
    // One queued announcement per burst: only the append that finds none pending posts one. The load first keeps
    // the common case (one already pending) free of a read-modify-write on a shared cache line.
    if (!m_announcePending.load(std::memory_order_relaxed) && !m_announcePending.exchange(true))
        QMetaObject::invokeMethod(this, &Timeline::announceAppended, Qt::QueuedConnection);
}

void Timeline::announceAppended()
{
    // Cleared before counting: an append racing with this call posts the next announcement, so nothing is missed.
    m_announcePending.store(false);
    qsizetype kept = 0;
    qsizetype count = 0;
    {
        QReadLocker locker(&m_lock);
        kept = m_firstIndex;
        count = m_firstIndex + qsizetype(m_records.size());
    }
    // Drops first: a view removes its oldest rows, then inserts the new ones (none of which were dropped unseen).
    if (kept > m_announcedFirst) {
        m_announcedFirst = kept;
        Q_EMIT eventsDropped(kept);
    }
    const qsizetype first = std::max(m_announced, kept);
    m_announced = count;
    if (count > first)
        Q_EMIT eventsAppended(first, count - 1);
}

void Timeline::setEventBudget(qsizetype budget)
{
    {
        QWriteLocker locker(&m_lock);
        m_budget = std::max<qsizetype>(0, budget);
        trimLocked();
    }
    announceSoon();
}

qsizetype Timeline::eventBudget() const
{
    QReadLocker locker(&m_lock);
    return m_budget;
}

qsizetype Timeline::droppedEventCount() const
{
    QReadLocker locker(&m_lock);
    return m_firstIndex;
}

void Timeline::trimLocked()
{
    const auto kept = qsizetype(m_records.size());
    if (m_budget <= 0 || kept <= m_budget)
        return;
    // Down to 90% of the budget: the next trim is a tenth of the budget of appends away.
    const qsizetype slice = std::max<qsizetype>(1, m_budget / 10);
    const qsizetype drop = std::min(kept, kept - m_budget + slice);
    m_records.erase(m_records.begin(), m_records.begin() + drop);
    m_firstIndex += drop;
    // Chunks wholly before the oldest kept event go; the last chunk is the one being written and stays.
    size_t unused = 0;
    while (
        unused + 1 < m_chunks.size() && (m_records.empty() || m_chunks[unused + 1].start <= m_records.front().offset))
        ++unused;
    m_chunks.erase(m_chunks.begin(), m_chunks.begin() + qsizetype(unused));
}

const Timeline::Record *Timeline::recordLocked(qsizetype index) const
{
    const qsizetype at = index - m_firstIndex;
    if (index < 0 || at < 0 || at >= qsizetype(m_records.size()))
        return nullptr;
    return &m_records[size_t(at)];
}

void Timeline::record(
    quint64 session, Side side, EventKind kind, Severity severity, const QString &summary, const EventDetails &details)
{
    append(Event {nowUs(), session, side, kind, severity, summary, details});
}

quint64 Timeline::arenaReserve(quint64 need)
{
    // One event's bytes never span two chunks: start a new chunk when this one cannot hold them. An event larger
    // than a chunk gets a chunk of its own size.
    const quint64 offsetInChunk = m_arenaUsed - m_chunkStart;
    if (m_chunks.empty() || offsetInChunk + need > m_chunkSize) {
        m_chunkStart = m_chunks.empty() ? 0 : m_chunkStart + m_chunkSize;
        m_chunkSize = std::max(ChunkSize, need);
        m_chunks.push_back(Chunk {std::unique_ptr<char[]>(new char[m_chunkSize]), m_chunkStart});
        m_arenaUsed = m_chunkStart;
    }
    return m_arenaUsed;
}

char *Timeline::arenaAtMutable(quint64 offset)
{
    return m_chunks.back().data.get() + (offset - m_chunks.back().start);
}

const char *Timeline::chunkAt(const std::vector<Chunk> &chunks, quint64 offset)
{
    // Chunks are ordered by start offset: find the last one that starts at or before the offset.
    auto it
        = std::upper_bound(chunks.begin(), chunks.end(), offset, [](quint64 o, const Chunk &c) { return o < c.start; });
    --it;
    return it->data.get() + (offset - it->start);
}

const char *Timeline::arenaAt(quint64 offset) const
{
    return chunkAt(m_chunks, offset);
}

qsizetype Timeline::eventCount() const
{
    QReadLocker locker(&m_lock);
    return m_firstIndex + qsizetype(m_records.size());
}

qsizetype Timeline::firstIndex() const
{
    QReadLocker locker(&m_lock);
    return m_firstIndex;
}

EventHeader Timeline::headerOf(const Record &r)
{
    return EventHeader {r.timeUs, r.session, r.side, r.kind, r.severity};
}

Event Timeline::event(qsizetype index) const
{
    QReadLocker locker(&m_lock);
    Event e;
    const Record *record = recordLocked(index);
    if (!record)
        return e;
    const Record &r = *record;
    e.timeUs = r.timeUs;
    e.session = r.session;
    e.side = r.side;
    e.kind = r.kind;
    e.severity = r.severity;
    const char *p = arenaAt(r.offset);
    e.summary = QString::fromUtf8(p, r.summaryBytes);
    if (r.detailsBytes)
        e.details = EventDetails::fromEncodedFields(QByteArray(p + r.summaryBytes, r.detailsBytes));
    return e;
}

EventHeader Timeline::header(qsizetype index) const
{
    QReadLocker locker(&m_lock);
    const Record *r = recordLocked(index);
    return r ? headerOf(*r) : EventHeader {};
}

QString Timeline::summary(qsizetype index) const
{
    QReadLocker locker(&m_lock);
    const Record *r = recordLocked(index);
    return r ? QString::fromUtf8(arenaAt(r->offset), r->summaryBytes) : QString();
}

bool Timeline::matchesLocked(const Record &r, const EventFilter &f, const QString &needle) const
{
    const quint32 sideBit = r.side == Side::Server ? 1 : 2;
    if (!(f.sideMask & sideBit))
        return false;
    if (r.severity < f.minimumSeverity)
        return false;
    if (!(f.kindMask & (quint64(1) << quint64(r.kind))))
        return false;
    if (!f.sessions.isEmpty() && !f.sessions.contains(r.session))
        return false;
    if (!needle.isEmpty()) {
        const QString text = QString::fromUtf8(arenaAt(r.offset), r.summaryBytes);
        if (!text.contains(needle, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

bool Timeline::matches(qsizetype index, const EventFilter &filter) const
{
    QReadLocker locker(&m_lock);
    const Record *r = recordLocked(index);
    return r && matchesLocked(*r, filter, filter.text);
}

QList<qsizetype> Timeline::matching(const EventFilter &filter, qsizetype from, qsizetype to) const
{
    QReadLocker locker(&m_lock);
    QList<qsizetype> out;
    from = std::max<qsizetype>(from, m_firstIndex);
    to = std::min<qsizetype>(to, m_firstIndex + qsizetype(m_records.size()));
    if (filter.acceptsAll()) {
        out.reserve(std::max<qsizetype>(0, to - from));
        for (qsizetype i = from; i < to; ++i)
            out.append(i);
        return out;
    }
    for (qsizetype i = from; i < to; ++i) {
        if (matchesLocked(m_records[size_t(i - m_firstIndex)], filter, filter.text))
            out.append(i);
    }
    return out;
}

quint64 Timeline::eventMemoryBytes() const
{
    QReadLocker locker(&m_lock);
    const quint64 arena = m_chunks.empty() ? 0 : m_arenaUsed - m_chunks.front().start;
    return quint64(m_records.size()) * sizeof(Record) + arena;
}

quint64 Timeline::newSessionId()
{
    static std::atomic<quint64> next {1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

void Timeline::updateSession(const Session &session)
{
    quint64 linkedWith = 0;
    {
        QWriteLocker locker(&m_lock);
        auto it = m_sessions.find(session.id);
        if (it == m_sessions.end()) {
            m_sessionOrder.append(session.id);
            it = m_sessions.insert(session.id, session);
        } else {
            const quint64 link = it->linkedSession;
            *it = session;
            if (!it->linkedSession)
                it->linkedSession = link;
        }
        // Link the two ends of one TCP connection when both are in this process: index open, unlinked sessions
        // by their endpoints, written from the server's point of view.
        if (!it->linkedSession && it->localPort && it->peerPort) {
            const QString key = endpointKey(*it);
            const auto other = m_unlinkedByEndpoints.constFind(key);
            if (other != m_unlinkedByEndpoints.constEnd() && *other != it.key()) {
                auto peer = m_sessions.find(*other);
                if (peer != m_sessions.end() && peer->side != it->side) {
                    it->linkedSession = peer.key();
                    peer->linkedSession = it.key();
                    linkedWith = peer.key();
                }
                m_unlinkedByEndpoints.remove(key);
            } else if (it->isOpen()) {
                m_unlinkedByEndpoints.insert(key, it.key());
            } else {
                m_unlinkedByEndpoints.remove(key);
            }
        }
        if (!m_keepsHistory && !it->isOpen())
            m_endedToDrop.append(it.key());
    }
    // Updates nest (a consumer of sessionUpdated() may update the session again, as the diagnoser does with its
    // verdict): an ended session is dropped only when the outermost update has reached every consumer.
    thread_local int depth = 0;
    ++depth;
    Q_EMIT sessionUpdated(session.id);
    if (linkedWith)
        Q_EMIT sessionUpdated(linkedWith);
    if (--depth == 0 && !m_keepsHistory) {
        QWriteLocker locker(&m_lock);
        for (const quint64 id : std::as_const(m_endedToDrop)) {
            const auto it = m_sessions.constFind(id);
            if (it == m_sessions.cend() || it->isOpen())
                continue;
            if (it->localPort && it->peerPort) {
                const QString key = endpointKey(*it);
                if (m_unlinkedByEndpoints.value(key) == id)
                    m_unlinkedByEndpoints.remove(key);
            }
            m_sessions.erase(it);
            m_sessionOrder.removeOne(id);
        }
        m_endedToDrop.clear();
    }
}

Session Timeline::session(quint64 id) const
{
    QReadLocker locker(&m_lock);
    return m_sessions.value(id);
}

QList<Session> Timeline::sessions() const
{
    QReadLocker locker(&m_lock);
    QList<Session> out;
    out.reserve(m_sessionOrder.size());
    for (quint64 id : m_sessionOrder)
        out.append(m_sessions.value(id));
    return out;
}

qsizetype Timeline::sessionCount() const
{
    QReadLocker locker(&m_lock);
    return m_sessionOrder.size();
}

void Timeline::clear()
{
    {
        QWriteLocker locker(&m_lock);
        // Clearing an empty timeline keeps the previous clear undoable.
        if (!m_records.empty() || !m_sessions.isEmpty()) {
            auto stash = std::make_unique<Stash>();
            stash->firstIndex = m_firstIndex;
            stash->records = std::exchange(m_records, {});
            stash->chunks = std::exchange(m_chunks, {});
            stash->arenaUsed = m_arenaUsed;
            stash->chunkStart = m_chunkStart;
            stash->chunkSize = m_chunkSize;
            stash->sessionOrder = std::exchange(m_sessionOrder, {});
            stash->sessions = std::exchange(m_sessions, {});
            stash->unlinkedByEndpoints = std::exchange(m_unlinkedByEndpoints, {});
            m_stash = std::move(stash);
        }
        m_records.clear();
        m_firstIndex = 0;
        m_chunks.clear();
        m_sessions.clear();
        m_sessionOrder.clear();
        m_unlinkedByEndpoints.clear();
        m_arenaUsed = 0;
        m_chunkStart = 0;
        m_chunkSize = 0;
        m_announced = 0;
        m_announcedFirst = 0;
    }
    Q_EMIT cleared();
}

qsizetype Timeline::clearedEventCount() const
{
    return m_stash ? qsizetype(m_stash->records.size()) : 0;
}

void Timeline::discardCleared()
{
    m_stash.reset();
}

void Timeline::restoreCleared()
{
    if (!m_stash)
        return;
    const std::unique_ptr<Stash> stash = std::move(m_stash);
    {
        QWriteLocker locker(&m_lock);
        // What was recorded since the clear goes after what the clear removed: the cleared storage becomes the
        // timeline again and the later events are appended to it (their bytes copied into its arena).
        const std::deque<Record> later = std::exchange(m_records, std::move(stash->records));
        const std::vector<Chunk> laterChunks = std::exchange(m_chunks, std::move(stash->chunks));
        m_arenaUsed = stash->arenaUsed;
        m_chunkStart = stash->chunkStart;
        m_chunkSize = stash->chunkSize;
        for (Record record : later) {
            const quint64 bytes = quint64(record.summaryBytes) + record.detailsBytes;
            const quint64 offset = arenaReserve(bytes);
            if (bytes)
                std::memcpy(arenaAtMutable(offset), chunkAt(laterChunks, record.offset), size_t(bytes));
            m_arenaUsed = offset + bytes;
            record.offset = offset;
            m_records.push_back(record);
        }
        // A session updated since the clear (it was open then) keeps its newest state.
        const QList<quint64> laterOrder = std::exchange(m_sessionOrder, std::move(stash->sessionOrder));
        const QHash<quint64, Session> laterSessions = std::exchange(m_sessions, std::move(stash->sessions));
        for (const quint64 id : laterOrder) {
            if (!m_sessions.contains(id))
                m_sessionOrder.append(id);
            m_sessions.insert(id, laterSessions.value(id));
        }
        const QHash<QString, quint64> laterUnlinked
            = std::exchange(m_unlinkedByEndpoints, std::move(stash->unlinkedByEndpoints));
        for (auto it = laterUnlinked.cbegin(); it != laterUnlinked.cend(); ++it)
            m_unlinkedByEndpoints.insert(it.key(), it.value());
        // Indices continue those of the cleared events, and the budget holds for the whole again.
        m_firstIndex = stash->firstIndex;
        trimLocked();
        m_announced = m_firstIndex;
        m_announcedFirst = m_firstIndex;
    }
    Q_EMIT cleared();
    announceAppended();
}

} // namespace TlsLab::Model
