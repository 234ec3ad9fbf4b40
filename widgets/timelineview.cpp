#include "widgets/timelineview.h"

#include "model/timeline/timeline.h"
#include "widgets/eventdetailspane.h"
#include "widgets/eventfiltermodel.h"
#include "widgets/eventtablemodel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

TimelineView::TimelineView(Timeline *timeline, QWidget *parent)
    : QWidget(parent)
    , m_timeline(timeline)
    , m_eventModel(new EventTableModel(timeline, this))
    , m_filterModel(new EventFilterModel(m_eventModel, this))
    , m_table(new QTableView(this))
    , m_details(new EventDetailsPane(this))
    , m_side(new QComboBox(this))
    , m_severity(new QComboBox(this))
    , m_kinds(new QToolButton(this))
    , m_search(new QLineEdit(this))
    , m_sessionOnly(new QCheckBox(tr("Selected session &only"), this))
    , m_follow(new QCheckBox(tr("Follow"), this))
    , m_count(new QLabel(this))
    , m_searchDelay(new QTimer(this))
{
    setObjectName(u"timelineView"_s);
    m_table->setObjectName(u"eventTable"_s);
    m_search->setObjectName(u"searchEdit"_s);
    m_follow->setObjectName(u"followCheck"_s);
    m_side->setObjectName(u"sideFilter"_s);
    m_severity->setObjectName(u"severityFilter"_s);

    // Each item carries its side mask (bit 0: server, bit 1: client) as item data.
    m_side->addItem(tr("Both sides"), 0b11);
    m_side->addItem(tr("Server side"), 0b01);
    m_side->addItem(tr("Client side"), 0b10);
    m_side->setToolTip(tr("Show events of this side"));
    for (int s = int(Severity::Debug); s <= int(Severity::Error); ++s)
        m_severity->addItem(EventTableModel::severityIcon(Severity(s)),
            s == 0 ? tr("All severities") : tr("%1 and above").arg(severityName(Severity(s))), s);
    m_severity->setToolTip(tr("Minimum severity"));
    m_kinds->setText(tr("Kinds"));
    m_kinds->setPopupMode(QToolButton::InstantPopup);
    auto *kindsMenu = new QMenu(m_kinds);
    for (int k = 0; k < int(EventKind::KindCount); ++k) {
        QAction *a = kindsMenu->addAction(kindName(EventKind(k)));
        a->setCheckable(true);
        a->setChecked(true);
        a->setData(k);
        connect(a, &QAction::toggled, this, &TimelineView::applyFilter);
    }
    kindsMenu->addSeparator();
    connect(kindsMenu->addAction(tr("Select all")), &QAction::triggered, this, [this, kindsMenu] {
        const QSignalBlocker blocker(kindsMenu);
        for (QAction *a : kindsMenu->actions())
            if (a->isCheckable()) {
                const QSignalBlocker b(a);
                a->setChecked(true);
            }
        applyFilter();
    });
    m_kinds->setMenu(kindsMenu);
    m_search->setPlaceholderText(tr("Search summaries (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search events"));
    // Room for a word or two, however narrow the window gets.
    m_search->setMinimumWidth(m_search->fontMetrics().horizontalAdvance(u"Search summaries"_s) + 24);
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Keep the newest event in view; scrolling up pauses it (End resumes)"));
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(150);

    m_table->setModel(m_filterModel);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setTabKeyNavigation(false);
    m_table->setAccessibleName(tr("Timeline events"));
    m_table->setShowGrid(false);
    m_table->verticalHeader()->hide();
    // Fixed row heights and column widths: nothing may measure a million rows.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    const int digit = m_table->fontMetrics().horizontalAdvance(u'0');
    m_table->setColumnWidth(EventTableModel::TimeColumn, digit * 17);
    m_table->setColumnWidth(EventTableModel::SessionColumn, digit * 8);
    m_table->setColumnWidth(EventTableModel::SideColumn, digit * 8);
    m_table->setColumnWidth(EventTableModel::KindColumn, digit * 20);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_side);
    bar->addWidget(m_severity);
    bar->addWidget(m_kinds);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_sessionOnly);
    bar->addWidget(m_follow);
    bar->addWidget(m_count);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(u"timelineSplitter"_s);
    splitter->addWidget(m_table);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({640, 320});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    connect(m_side, &QComboBox::currentIndexChanged, this, &TimelineView::applyFilter);
    connect(m_severity, &QComboBox::currentIndexChanged, this, &TimelineView::applyFilter);
    connect(m_sessionOnly, &QCheckBox::toggled, this, &TimelineView::applyFilter);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_searchDelay, &QTimer::timeout, this, &TimelineView::applyFilter);
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            m_table->scrollToBottom();
        Q_EMIT followTailChanged(on);
    });
    connect(m_filterModel, &QAbstractItemModel::rowsInserted, this, &TimelineView::onRowsInserted);
    // Under the event budget the oldest rows go: the count follows.
    connect(m_filterModel, &QAbstractItemModel::rowsRemoved, this,
        [this] { m_count->setText(tr("%L1 events").arg(m_filterModel->rowCount())); });
    // A cleared timeline reuses indices: forget the selected one before the filter model resets.
    connect(m_eventModel, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_selectedEvent = -1; });
    connect(m_filterModel, &QAbstractItemModel::modelReset, this, [this] {
        m_count->setText(tr("%L1 events").arg(m_filterModel->rowCount()));
        // Keep the selected event selected across a re-filter when it still passes.
        const int row = m_selectedEvent >= 0 ? m_filterModel->rowForEvent(m_selectedEvent) : -1;
        if (row >= 0) {
            m_restoringSelection = true;
            m_table->setCurrentIndex(m_filterModel->index(row, 0));
            m_restoringSelection = false;
            m_table->scrollTo(m_filterModel->index(row, 0), QAbstractItemView::PositionAtCenter);
        } else {
            m_details->clear();
            if (m_follow->isChecked())
                m_table->scrollToBottom();
        }
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TimelineView::onCurrentChanged);
    // Only the user's own scrolling (wheel, drag, page, arrows of the bar) pauses or resumes following; the view's
    // own adjustments after inserts and resets do not.
    connect(m_table->verticalScrollBar(), &QScrollBar::actionTriggered, this, &TimelineView::onScrolled);
    m_count->setText(tr("%L1 events").arg(m_filterModel->rowCount()));
}

TimelineView::~TimelineView() = default;

bool TimelineView::isFollowingTail() const
{
    return m_follow->isChecked();
}

void TimelineView::setFollowTail(bool follow)
{
    m_follow->setChecked(follow);
}

void TimelineView::focusSearch()
{
    m_search->setFocus();
    m_search->selectAll();
}

void TimelineView::selectEvent(qsizetype timelineIndex)
{
    // An event the budget has dropped is only in the capture file.
    if (timelineIndex < m_timeline->firstIndex() || timelineIndex >= m_timeline->eventCount())
        return;
    setFollowTail(false);
    const int row = m_filterModel->rowForEvent(timelineIndex);
    if (row >= 0) {
        m_table->setCurrentIndex(m_filterModel->index(row, 0));
        m_table->scrollTo(m_filterModel->index(row, 0), QAbstractItemView::PositionAtCenter);
        return;
    }
    m_selectedEvent = timelineIndex;
    m_details->setEvent(m_timeline->event(timelineIndex));
}

void TimelineView::setSelectedSessions(const QList<quint64> &sessions)
{
    m_selectedSessions = sessions;
    if (m_sessionOnly->isChecked())
        applyFilter();
}

void TimelineView::applyFilter()
{
    EventFilter f;
    f.sideMask = quint8(m_side->currentData().toInt());
    f.minimumSeverity = Severity(m_severity->currentData().toInt());
    quint64 mask = 0;
    bool all = true;
    for (QAction *a : m_kinds->menu()->actions()) {
        if (!a->isCheckable())
            continue;
        if (a->isChecked())
            mask |= quint64(1) << a->data().toInt();
        else
            all = false;
    }
    f.kindMask = all ? ~quint64(0) : mask;
    m_kinds->setText(all ? tr("Kinds") : tr("Kinds (filtered)"));
    f.text = m_search->text().trimmed();
    if (m_sessionOnly->isChecked()) {
        f.sessions = m_selectedSessions;
        if (f.sessions.isEmpty())
            f.sessions = {quint64(0)}; // nothing selected: only listener-wide events
    }
    m_filterModel->setFilter(f);
}

void TimelineView::onRowsInserted()
{
    m_count->setText(tr("%L1 events").arg(m_filterModel->rowCount()));
    if (m_follow->isChecked())
        m_table->scrollToBottom();
}

void TimelineView::onScrolled()
{
    const QScrollBar *bar = m_table->verticalScrollBar();
    // Called before the new position is applied: sliderPosition() is where the user is going.
    const bool atEnd = bar->sliderPosition() >= bar->maximum();
    if (m_follow->isChecked() != atEnd)
        m_follow->setChecked(atEnd);
}

void TimelineView::onCurrentChanged()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    m_selectedEvent = m_filterModel->eventIndex(current.row());
    // Picking an event to read pauses following so it stays in view; moving to the last row resumes.
    if (!m_restoringSelection && m_table->hasFocus())
        setFollowTail(current.row() == m_filterModel->rowCount() - 1);
    m_details->setEvent(m_timeline->event(m_selectedEvent));
    Q_EMIT eventSelected(m_selectedEvent);
}

} // namespace TlsLab::Widgets
