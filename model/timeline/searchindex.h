#pragma once

#include <QFuture>
#include <QReadWriteLock>
#include <QString>

#include <atomic>
#include <vector>

namespace TlsLab::Model {

class Timeline;

// A 128-bit signature per event of the case-folded character pairs (bigrams) in its summary, built on a worker
// thread as events arrive. A text search first compares signatures (a few nanoseconds per event) and decodes only
// the summaries whose signature contains every bigram of the needle; without it every summary of a million would be
// decoded (about 200 ns each, mostly the Timeline's lock and the UTF-8 to QString conversion), which alone takes
// the text search over its 200 ms budget. 16 bytes per event; no text is kept.
class SearchIndex
{
    Q_DISABLE_COPY_MOVE(SearchIndex)

public:
    struct Signature
    {
        quint64 low = 0;
        quint64 high = 0;
        bool contains(const Signature &n) const { return (low & n.low) == n.low && (high & n.high) == n.high; }
    };

    explicit SearchIndex(const Timeline *timeline);
    ~SearchIndex(); // waits for the worker

    // Starts indexing events appended since the last call, on a worker thread (no-op while one runs).
    void update();
    // Forgets everything (the timeline was cleared); waits for the worker.
    void reset();
    // Forgets the signatures of events before `before` (the timeline's budget dropped them).
    void dropBefore(qsizetype before);

    // Whether a needle can use the index (printable ASCII, two characters or more).
    static bool usable(const QString &needle);
    static Signature signatureOf(QStringView text);

    // Rows among candidates[begin, end) whose summary matches the needle by the rule of TextSearch.
    QList<qsizetype> search(
        const QList<qsizetype> &candidates, qsizetype begin, qsizetype end, const QString &needle) const;
    // The timeline index after the last indexed event (signatures cover [firstIndexed, indexedCount)).
    qsizetype indexedCount() const;

private:
    void indexRange(qsizetype from, qsizetype to);

    const Timeline *m_timeline;
    mutable QReadWriteLock m_lock;
    std::vector<Signature> m_signatures;
    qsizetype m_base = 0; // timeline index of m_signatures[0]
    QFuture<void> m_worker;
    std::atomic<bool> m_stop {false};
};

} // namespace TlsLab::Model
