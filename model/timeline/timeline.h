#pragma once

#include "model/core/event.h"
#include "model/core/session.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QReadWriteLock>
#include <QStringEncoder>

#include <atomic>
#include <deque>
#include <memory>
#include <vector>

namespace TlsLab::Model {

// What a timeline view wants to see. An empty set means "all".
struct EventFilter
{
    QList<quint64> sessions;
    quint32 sideMask = 0b11; // bit 0 server, bit 1 client
    Severity minimumSeverity = Severity::Debug;
    quint64 kindMask = ~quint64(0); // bit per EventKind
    QString text; // case-insensitive, in the summary

    bool acceptsAll() const;
};

// Every event and session of a run, in order. Appending is cheap and thread-safe; events are kept compactly
// (a fixed header plus the summary as UTF-8 and the details as CBOR in a chunked arena), so a million events fit
// in well under 200 MB and can be read back at any time by index.
//
// Views are pushed, not polled: eventsAppended(first, last) names the new rows. It is emitted in the thread the
// Timeline lives in (the GUI thread in the window), from the event loop, whichever thread appended, and once per
// event-loop turn however many events arrived: a burst of 100,000 appends is one signal, not 100,000.
class Timeline final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Timeline)

public:
    explicit Timeline(QObject *parent = nullptr);
    ~Timeline() override;

    // Thread-safe. Emits eventAppended() in the calling thread, then (coalesced, later) eventsAppended() in the
    // Timeline's thread.
    void append(const Event &event);
    // The same for an event already encoded as the timeline stores it (the summary as UTF-8, the details as CBOR):
    // a capture's records go in without becoming Event values first. eventAppended() is emitted only when something
    // is connected to it. The views learn of these events at the next announceSoon(), not one post per append: a
    // bulk load announces them in slices.
    void appendEncoded(const EventHeader &header, QByteArrayView summaryUtf8, QByteArrayView details);
    // Thread-safe: posts one eventsAppended() for what was appended since the last one, unless one is pending.
    void announceSoon();
    // Appends an event stamped now.
    void record(quint64 session, Side side, EventKind kind, Severity severity, const QString &summary,
        const EventDetails &details = {});

    // Indices are global and stable: eventCount() is the index after the newest event, firstIndex() that of the
    // oldest one still kept (0 unless a budget has dropped older ones). Reading a dropped index is safe: an empty
    // Event or header, an empty summary, no match.
    qsizetype eventCount() const;
    qsizetype firstIndex() const;
    Event event(qsizetype index) const;
    EventHeader header(qsizetype index) const;
    QString summary(qsizetype index) const;
    bool matches(qsizetype index, const EventFilter &filter) const;
    // Indices in [from, to) that pass the filter, in order.
    QList<qsizetype> matching(const EventFilter &filter, qsizetype from, qsizetype to) const;
    // Bytes used by stored events (records and the arena chunks still held), for the benchmark.
    quint64 eventMemoryBytes() const;

    // The most events kept in memory; 0 (the default) keeps every one. When an append takes the count over the
    // budget, the oldest events are dropped in slices of a tenth of the budget, so that trimming is rare and costs
    // a pop per record plus freeing whole arena chunks once no kept event uses them. The window sets one and keeps
    // the rest in its capture file; eventsDropped() tells the views. Thread-safe; a smaller budget trims at the
    // next append.
    void setEventBudget(qsizetype budget);
    qsizetype eventBudget() const;
    // Events dropped by the budget since construction or the last clear() (equal to firstIndex()).
    qsizetype droppedEventCount() const;

    // Sessions. Ids are unique in the process.
    static quint64 newSessionId();
    // Inserts or replaces a session. Links a server and a client session of the same TCP connection.
    void updateSession(const Session &session);
    Session session(quint64 id) const;
    QList<Session> sessions() const; // in order of creation
    qsizetype sessionCount() const;

    // From the Timeline's thread only: the views reset on cleared() in the same turn. What is cleared is moved aside
    // (not copied), kept until the next clear() that finds something to clear or discardCleared(), so that the clear
    // can be undone.
    void clear();
    bool canRestoreCleared() const { return m_stash != nullptr; }
    qsizetype clearedEventCount() const; // the events restoreCleared() would bring back
    // Undoes the last clear(): its events and sessions come back before those recorded since. Emits cleared() (views
    // reset and read everything again), then eventsAppended(0, last). From the Timeline's thread only.
    void restoreCleared();
    void discardCleared();

    // Whether events and ended sessions are kept (the default). Off, each event is only handed to the direct
    // consumers of eventAppended() and each session is dropped once it has ended and sessionUpdated() has been
    // delivered: for `tlslab serve`, which prints and captures everything as it happens, so that its memory stays
    // flat however long it runs. Set before anything is recorded.
    void setKeepsHistory(bool keep) { m_keepsHistory = keep; }
    bool keepsHistory() const { return m_keepsHistory; }

Q_SIGNALS:
    // Every single event, emitted synchronously in the appending thread, for consumers that must see each one in
    // order right away (the command line prints it). Views use eventsAppended() instead.
    void eventAppended(const TlsLab::Model::Event &event);
    // Events [first, last] (inclusive) were appended since the previous emission or since cleared(). Emitted in the
    // Timeline's thread from its event loop; coalesced.
    void eventsAppended(qsizetype first, qsizetype last);
    // The events before index `before` were dropped by the budget since the previous emission. Emitted in the
    // Timeline's thread, coalesced with eventsAppended() and always just before it, so a view removes its front rows
    // and then inserts the new ones. `before` may exceed the events announced so far: some were dropped unseen.
    void eventsDropped(qsizetype before);
    // Emitted in the thread that updated the session (queued to the GUI thread by an automatic connection).
    void sessionUpdated(quint64 id);
    void cleared();

private:
    void announceAppended();

    struct Record
    {
        qint64 timeUs;
        quint64 session;
        quint64 offset; // into the arena
        quint32 summaryBytes;
        quint32 detailsBytes;
        Side side;
        EventKind kind;
        Severity severity;
    };
    struct Chunk
    {
        std::unique_ptr<char[]> data;
        quint64 start; // global offset of data[0]
    };
    // What clear() moved aside.
    struct Stash
    {
        qsizetype firstIndex = 0; // the global index of records.front()
        std::deque<Record> records;
        std::vector<Chunk> chunks;
        quint64 arenaUsed = 0;
        quint64 chunkStart = 0;
        quint64 chunkSize = 0;
        QList<quint64> sessionOrder;
        QHash<quint64, Session> sessions;
        QHash<QString, quint64> unlinkedByEndpoints;
    };
    static const char *chunkAt(const std::vector<Chunk> &chunks, quint64 offset);
    const char *arenaAt(quint64 offset) const;
    char *arenaAtMutable(quint64 offset); // in the last chunk
    quint64 arenaReserve(quint64 bytes); // offset where that many bytes fit in one chunk
    bool matchesLocked(const Record &record, const EventFilter &filter, const QString &needle) const;
    static EventHeader headerOf(const Record &record);
    // With the write lock held: drops the oldest events when over the budget.
    void trimLocked();
    const Record *recordLocked(qsizetype index) const;

    mutable QReadWriteLock m_lock;
    std::deque<Record> m_records;
    qsizetype m_firstIndex = 0; // global index of m_records.front()
    qsizetype m_budget = 0;
    std::vector<Chunk> m_chunks;
    quint64 m_arenaUsed = 0; // global offset of the next free byte
    quint64 m_chunkStart = 0; // global offset of the last chunk
    quint64 m_chunkSize = 0; // size of the last chunk
    QStringEncoder m_encoder {QStringEncoder::Utf8};

    QList<quint64> m_sessionOrder;
    QHash<quint64, Session> m_sessions;
    QHash<QString, quint64> m_unlinkedByEndpoints;
    bool m_keepsHistory = true;
    std::unique_ptr<Stash> m_stash; // the last clear's, for restoreCleared()
    QList<quint64> m_endedToDrop; // without history: ended sessions, dropped once their update has been delivered

    // The events announced by eventsAppended() so far (touched in the Timeline's thread only), and whether an
    // announcement is queued.
    qsizetype m_announced = 0;
    qsizetype m_announcedFirst = 0; // the firstIndex() told by the last eventsDropped()
    std::atomic<bool> m_announcePending {false};
};

} // namespace TlsLab::Model
