#include "widgets/sessiontableview.h"

#include "widgets/sessiontablemodel.h"

#include <QHeaderView>

namespace TlsLab::Widgets {

SessionTableView::SessionTableView(SessionTableModel *model, QWidget *parent)
    : QTableView(parent)
{
    setModel(model);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setShowGrid(false);
    setWordWrap(false);
    setTabKeyNavigation(false);
    verticalHeader()->hide();
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setStretchLastSection(true);
    const int digit = fontMetrics().horizontalAdvance(u'0');
    setColumnWidth(SessionTableModel::IdColumn, digit * 9);
    setColumnWidth(SessionTableModel::SideColumn, digit * 7);
    setColumnWidth(SessionTableModel::StateColumn, digit * 12);
    setColumnWidth(SessionTableModel::PeerColumn, digit * 16);
    setColumnWidth(SessionTableModel::ProtocolColumn, digit * 9);
    setColumnWidth(SessionTableModel::CipherColumn, digit * 24);
    setColumnWidth(SessionTableModel::OutcomeColumn, digit * 30);
}

} // namespace TlsLab::Widgets
