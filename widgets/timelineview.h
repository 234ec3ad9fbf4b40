#pragma once

#include "model/core/event.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;
class QToolButton;

namespace TlsLab::Model {
class Timeline;
}

namespace TlsLab::Widgets {

class EventDetailsPane;
class EventFilterModel;
class EventTableModel;

// The event table with its filter bar (side, minimum severity, kinds, text search, "only the selected session"),
// follow-tail, and the details of the selected event. Follow-tail pauses as soon as the user scrolls up and resumes
// when they scroll back to the end (or press End).
class TimelineView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineView)

public:
    explicit TimelineView(Model::Timeline *timeline, QWidget *parent = nullptr);
    ~TimelineView() override;

    EventTableModel *eventModel() const { return m_eventModel; }
    EventFilterModel *filterModel() const { return m_filterModel; }
    QTableView *table() const { return m_table; }
    EventDetailsPane *details() const { return m_details; }
    QLineEdit *searchEdit() const { return m_search; }

    bool isFollowingTail() const;
    void setFollowTail(bool follow);
    // The session the session list has selected; used when "selected session only" is on.
    void setSelectedSessions(const QList<quint64> &sessions);
    void focusSearch();
    // Shows an event picked elsewhere (the handshake ladder): selected in the table when the filter shows it, in the
    // details pane either way. Following the tail pauses so it stays in view.
    void selectEvent(qsizetype timelineIndex);

Q_SIGNALS:
    void eventSelected(qsizetype timelineIndex);
    void followTailChanged(bool following);

private:
    void applyFilter();
    void onRowsInserted();
    void onCurrentChanged();
    void onScrolled();

    Model::Timeline *m_timeline;
    EventTableModel *m_eventModel;
    EventFilterModel *m_filterModel;
    QTableView *m_table;
    EventDetailsPane *m_details;
    QComboBox *m_side;
    QComboBox *m_severity;
    QToolButton *m_kinds;
    QLineEdit *m_search;
    QCheckBox *m_sessionOnly;
    QCheckBox *m_follow;
    QLabel *m_count;
    QTimer *m_searchDelay;
    QList<quint64> m_selectedSessions;
    bool m_restoringSelection = false;
    qsizetype m_selectedEvent = -1;
};

} // namespace TlsLab::Widgets
