#include "model/timeline/searchindex.h"

#include "model/timeline/textsearch.h"
#include "model/timeline/timeline.h"

#include <QtConcurrent/QtConcurrentRun>

namespace TlsLab::Model {

namespace {
constexpr qsizetype Block = 16384;

inline char16_t fold(char16_t c)
{
    if (c >= u'A' && c <= u'Z')
        return char16_t(c + 32);
    if (c < 128)
        return c;
    return QChar(c).toCaseFolded().unicode();
}
} // namespace

SearchIndex::SearchIndex(const Timeline *timeline)
    : m_timeline(timeline)
{ }

SearchIndex::~SearchIndex()
{
    m_stop = true;
    m_worker.waitForFinished();
}

SearchIndex::Signature SearchIndex::signatureOf(QStringView text)
{
    Signature s;
    if (text.size() < 2)
        return s;
    char16_t previous = fold(text.at(0).unicode());
    for (qsizetype i = 1; i < text.size(); ++i) {
        const char16_t c = fold(text.at(i).unicode());
        const quint32 h = (quint32(previous) * 0x9E3779B1u) ^ (quint32(c) * 0x85EBCA77u);
        const quint32 bit = (h ^ (h >> 15)) & 127;
        if (bit < 64)
            s.low |= quint64(1) << bit;
        else
            s.high |= quint64(1) << (bit - 64);
        previous = c;
    }
    return s;
}

bool SearchIndex::usable(const QString &needle)
{
    if (needle.size() < 2)
        return false;
    for (QChar c : needle) {
        if (c.unicode() < 32 || c.unicode() >= 127)
            return false;
    }
    return true;
}

void SearchIndex::update()
{
    if (m_worker.isRunning())
        return;
    qsizetype from = indexedCount();
    const qsizetype kept = m_timeline->firstIndex();
    if (from < kept) {
        // Events dropped before they were indexed: start at the oldest kept one (no worker runs now).
        QWriteLocker locker(&m_lock);
        m_signatures.clear();
        m_base = kept;
        from = kept;
    }
    const qsizetype to = m_timeline->eventCount();
    if (to <= from)
        return;
    m_worker = QtConcurrent::run([this, from, to] { indexRange(from, to); });
}

void SearchIndex::reset()
{
    m_stop = true;
    m_worker.waitForFinished();
    m_stop = false;
    QWriteLocker locker(&m_lock);
    m_signatures.clear();
    m_base = 0;
}

void SearchIndex::dropBefore(qsizetype before)
{
    // Only whole signatures already indexed go, so the end (where the worker appends) does not move.
    QWriteLocker locker(&m_lock);
    const qsizetype gone = std::clamp<qsizetype>(before - m_base, 0, qsizetype(m_signatures.size()));
    m_signatures.erase(m_signatures.begin(), m_signatures.begin() + gone);
    m_base += gone;
}

void SearchIndex::indexRange(qsizetype from, qsizetype to)
{
    std::vector<Signature> block;
    block.reserve(Block);
    for (qsizetype start = from; start < to && !m_stop; start += Block) {
        block.clear();
        const qsizetype end = std::min(to, start + Block);
        for (qsizetype i = start; i < end; ++i)
            block.push_back(signatureOf(m_timeline->summary(i)));
        QWriteLocker locker(&m_lock);
        if (m_base + qsizetype(m_signatures.size()) != start)
            return; // reset meanwhile
        m_signatures.insert(m_signatures.end(), block.cbegin(), block.cend());
    }
}

qsizetype SearchIndex::indexedCount() const
{
    QReadLocker locker(&m_lock);
    return m_base + qsizetype(m_signatures.size());
}

QList<qsizetype> SearchIndex::search(
    const QList<qsizetype> &candidates, qsizetype begin, qsizetype end, const QString &needle) const
{
    const TextSearch search(needle);
    const bool useIndex = usable(search.needle());
    const Signature wanted = signatureOf(search.needle());
    QList<qsizetype> out;
    QReadLocker locker(&m_lock);
    const qsizetype indexed = m_base + qsizetype(m_signatures.size());
    for (qsizetype k = begin; k < end; ++k) {
        const qsizetype row = candidates.at(k);
        if (useIndex && row >= m_base && row < indexed && !m_signatures[size_t(row - m_base)].contains(wanted))
            continue;
        if (search.matches(m_timeline->summary(row)))
            out.append(row);
    }
    return out;
}

} // namespace TlsLab::Model
