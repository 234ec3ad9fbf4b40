#include "widgets/eventtablemodel.h"

#include "model/timeline/timeline.h"

#include <QColor>
#include <QDateTime>
#include <QGuiApplication>
#include <QPalette>
#include <QTimer>

#include <array>
#include <limits>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

EventTableModel::EventTableModel(Timeline *timeline, QObject *parent)
    : QAbstractTableModel(parent)
    , m_timeline(timeline)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &EventTableModel::flushStep);
    connect(m_timeline, &Timeline::eventsAppended, this, &EventTableModel::onEventsAppended);
    connect(m_timeline, &Timeline::eventsDropped, this, &EventTableModel::removeBefore);
    connect(m_timeline, &Timeline::cleared, this, &EventTableModel::reset);
    m_first = m_timeline->firstIndex();
    m_rows = int(std::min<qsizetype>(m_timeline->eventCount() - m_first, std::numeric_limits<int>::max()));
}

EventTableModel::~EventTableModel() = default;

void EventTableModel::onEventsAppended()
{
    // The range itself is not needed: the flush inserts up to the events stored by then. Not restarted by later
    // announcements, so a steady stream is still inserted every FlushDelayMs.
    if (!m_timer->isActive())
        m_timer->start(FlushDelayMs);
}

void EventTableModel::removeBefore(qsizetype before)
{
    if (before <= m_first)
        return;
    // At once, not at the next flush: the rows would show events the timeline no longer has.
    const qsizetype gone = before - m_first;
    if (gone >= m_rows) {
        // Every row goes, and perhaps events never inserted: those are skipped by moving the first index past them.
        if (m_rows > 0) {
            beginRemoveRows({}, 0, m_rows - 1);
            m_rows = 0;
            m_first = before;
            endRemoveRows();
        } else {
            m_first = before;
        }
        return;
    }
    beginRemoveRows({}, 0, int(gone) - 1);
    m_rows -= int(gone);
    m_first = before;
    endRemoveRows();
}

int EventTableModel::rowForEvent(qsizetype eventIndex) const
{
    const qsizetype row = eventIndex - m_first;
    return row >= 0 && row < m_rows ? int(row) : -1;
}

void EventTableModel::flushStep()
{
    if (insertUpTo(MaxRowsPerStep))
        m_timer->start(0); // the rest of a burst: the next step as soon as the event loop has run
}

void EventTableModel::flush()
{
    m_timer->stop();
    insertUpTo(std::numeric_limits<int>::max());
}

bool EventTableModel::insertUpTo(int maxRows)
{
    // Drops not announced yet (flush() called directly) are removed first.
    removeBefore(m_timeline->firstIndex());
    const qsizetype end = m_timeline->eventCount();
    if (end < m_first + m_rows) {
        // The timeline was cleared and refilled between two flushes.
        reset();
        return false;
    }
    const int count = int(std::min<qsizetype>(end - m_first, std::numeric_limits<int>::max()));
    if (count == m_rows)
        return false;
    const int last = int(std::min<qint64>(count, qint64(m_rows) + maxRows)) - 1;
    beginInsertRows({}, m_rows, last);
    m_rows = last + 1;
    endInsertRows();
    return m_rows < count;
}

void EventTableModel::reset()
{
    beginResetModel();
    m_first = m_timeline->firstIndex();
    m_rows = int(std::min<qsizetype>(m_timeline->eventCount() - m_first, std::numeric_limits<int>::max()));
    endResetModel();
}

int EventTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int EventTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString EventTableModel::shortTime(qint64 timeUs)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(timeUs / 1000);
    return t.toString(u"HH:mm:ss.zzz"_s) + QString::number(timeUs % 1000).rightJustified(3, u'0');
}

QIcon EventTableModel::severityIcon(Severity severity)
{
    static const std::array<QIcon, 5> icons = {
        QIcon(u":/icons/severity-debug.svg"_s),
        QIcon(u":/icons/severity-info.svg"_s),
        QIcon(u":/icons/severity-success.svg"_s),
        QIcon(u":/icons/severity-warning.svg"_s),
        QIcon(u":/icons/severity-error.svg"_s),
    };
    return icons[size_t(severity) < icons.size() ? size_t(severity) : 1];
}

QVariant EventTableModel::severityBackground(Severity severity)
{
    // A light tint of a signal colour over the palette's base, so the text colour of both light and dark palettes
    // stays readable.
    QColor tint;
    switch (severity) {
    case Severity::Success:
        tint = QColor(46, 157, 79);
        break;
    case Severity::Warning:
        tint = QColor(208, 138, 16);
        break;
    case Severity::Error:
        tint = QColor(200, 55, 45);
        break;
    case Severity::Debug:
    case Severity::Info:
        return {};
    }
    const QColor base = QGuiApplication::palette().color(QPalette::Base);
    const qreal a = base.lightness() > 128 ? 0.16 : 0.28;
    return QColor::fromRgbF(float(base.redF() * (1 - a) + tint.redF() * a),
        float(base.greenF() * (1 - a) + tint.greenF() * a), float(base.blueF() * (1 - a) + tint.blueF() * a));
}

QVariant EventTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    // The event's global index: the timeline is read by index, whatever was dropped before it.
    const qsizetype row = m_first + index.row();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole: {
        if (index.column() == SummaryColumn)
            return m_timeline->summary(row);
        const EventHeader h = m_timeline->header(row);
        switch (Column(index.column())) {
        case TimeColumn:
            return role == Qt::ToolTipRole ? formatTimeUs(h.timeUs) : shortTime(h.timeUs);
        case SessionColumn:
            return h.session ? QVariant(QString(u"#"_s + QString::number(h.session))) : QVariant(u"—"_s);
        case SideColumn:
            return sideName(h.side);
        case KindColumn:
            return kindName(h.kind);
        case SummaryColumn:
        case ColumnCount:
            break;
        }
        return {};
    }
    case Qt::DecorationRole:
        if (index.column() == KindColumn)
            return severityIcon(m_timeline->header(row).severity);
        return {};
    case Qt::BackgroundRole:
        return severityBackground(m_timeline->header(row).severity);
    case EventIndexRole:
        return QVariant::fromValue(row);
    case SessionRole:
        return QVariant::fromValue(m_timeline->header(row).session);
    case SideRole:
        return int(m_timeline->header(row).side);
    case KindRole:
        return int(m_timeline->header(row).kind);
    case SeverityRole:
        return int(m_timeline->header(row).severity);
    case TimeUsRole:
        return QVariant::fromValue(m_timeline->header(row).timeUs);
    default:
        return {};
    }
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case TimeColumn:
        return tr("Time");
    case SessionColumn:
        return tr("Session");
    case SideColumn:
        return tr("Side");
    case KindColumn:
        return tr("Kind");
    case SummaryColumn:
        return tr("Summary");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace TlsLab::Widgets
