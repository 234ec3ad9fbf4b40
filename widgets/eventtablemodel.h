#pragma once

#include "model/core/event.h"

#include <QAbstractTableModel>
#include <QIcon>

class QTimer;

namespace TlsLab::Model {
class Timeline;
}

namespace TlsLab::Widgets {

// The timeline as a table. It never copies events: a row is an index into the Timeline, and data() reads only the
// rows a view asks for (the visible ones). The Timeline announces new events (eventsAppended); the first
// announcement starts a single-shot flush timer, and the flush inserts everything that arrived meanwhile with one
// beginInsertRows(), so a burst of 100,000 appends costs the view one insert (or a few steps, see flushStep()) and a
// quiet timeline costs nothing.
//
// Under an event budget the Timeline drops its oldest events (eventsDropped): the rows are the kept events, row r is
// the event at index firstIndex() + r, and the dropped front is removed with one beginRemoveRows() at once.
class EventTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventTableModel)

public:
    enum Column { TimeColumn, SessionColumn, SideColumn, KindColumn, SummaryColumn, ColumnCount };
    enum Role {
        EventIndexRole = Qt::UserRole, // qsizetype: global index in the Timeline
        SessionRole, // quint64
        SideRole, // int(Model::Side)
        KindRole, // int(Model::EventKind)
        SeverityRole, // int(Model::Severity)
        TimeUsRole, // qint64
    };

    explicit EventTableModel(Model::Timeline *timeline, QObject *parent = nullptr);
    ~EventTableModel() override;

    Model::Timeline *timeline() const { return m_timeline; }
    // The timeline index shown in row 0 (the rows' index changes only inside beginRemoveRows/endRemoveRows).
    qsizetype firstIndex() const { return m_first; }
    qsizetype eventIndex(int row) const { return m_first + row; }
    // The row showing a timeline index, or -1 when it is not (yet, or any more) a row.
    int rowForEvent(qsizetype eventIndex) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Inserts every stored event not yet inserted, at once (for benchmarks and tests that need the rows now).
    void flush();
    // The timer's step: at most MaxRowsPerStep events, then again at once if more wait, so that views and filters
    // on top never take a whole burst in one go (the event loop runs in between).
    static constexpr int MaxRowsPerStep = 5000;
    // How long announced events wait to be inserted together: an interactive delay, and at most 20 inserts a
    // second while a handshake flood streams in.
    static constexpr int FlushDelayMs = 50;

    // Shared with the other views: a severity's icon and its background tint derived from the current palette.
    static QIcon severityIcon(Model::Severity severity);
    static QVariant severityBackground(Model::Severity severity);
    static QString shortTime(qint64 timeUs);

private:
    void onEventsAppended();
    // Removes the rows of events before `before` (dropped by the timeline's budget).
    void removeBefore(qsizetype before);
    void flushStep();
    // Inserts at most maxRows of the waiting events; true if more are waiting.
    bool insertUpTo(int maxRows);
    void reset();

    Model::Timeline *m_timeline;
    QTimer *m_timer;
    qsizetype m_first = 0;
    int m_rows = 0;
};

} // namespace TlsLab::Widgets
