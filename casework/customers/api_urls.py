"""API routes of this app, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from . import api

urlpatterns: list = [
    path("customers/", api.CustomerListView.as_view(), name="api-customers"),
    path("customers/<str:csid>/", api.CustomerDetailView.as_view(), name="api-customer"),
    path("customers/<str:csid>/cases/", api.CustomerCasesView.as_view(), name="api-customer-cases"),
    path("customers/<str:csid>/notes/", api.NotesView.as_view(), name="api-customer-notes"),
    path("customers/<str:csid>/issues/", api.IssuesView.as_view(), name="api-customer-issues"),
    path("customers/<str:csid>/issues/<int:issue_id>/close/", api.IssueCloseView.as_view(), name="api-issue-close"),
    path("cases/", api.CaseCreateView.as_view(), name="api-cases"),
    path("cases/<str:case_number>/", api.CaseDetailView.as_view(), name="api-case"),
    path("audit/", api.AuditSearchView.as_view(), name="api-audit"),
]

# Case financial and care facts, representatives, restricted service (docs/facts.md).
from . import facts_api as facts  # noqa: E402

urlpatterns += [
    path("customers/<str:csid>/debts/", facts.DebtsView.as_view(), name="api-customer-debts"),
    path("customers/<str:csid>/income/", facts.IncomeView.as_view(), name="api-customer-income"),
    path("customers/<str:csid>/dpos/", facts.DposView.as_view(), name="api-customer-dpos"),
    path("customers/<str:csid>/representatives/", facts.RepresentativesView.as_view(), name="api-customer-reps"),
    path("customers/<str:csid>/restrictions/", facts.RestrictionsView.as_view(), name="api-customer-restrictions"),
    path("debts/<int:debt_id>/correct/", facts.DebtCorrectView.as_view(), name="api-debt-correct"),
    path("debts/<int:debt_id>/arrangements/", facts.ArrangementCreateView.as_view(), name="api-debt-arrangements"),
    path("arrangements/<int:arrangement_id>/amend/", facts.ArrangementAmendView.as_view(), name="api-arrangement-amend"),
    path("arrangements/<int:arrangement_id>/default/", facts.ArrangementDefaultView.as_view(),
         name="api-arrangement-default"),
    path("arrangements/<int:arrangement_id>/end/", facts.ArrangementEndView.as_view(), name="api-arrangement-end"),
    path("cases/<str:case_number>/payments/", facts.PaymentsView.as_view(), name="api-case-payments"),
    path("payments/<int:payment_id>/correct/", facts.PaymentCorrectView.as_view(), name="api-payment-correct"),
    path("cases/<str:case_number>/care/", facts.CareView.as_view(), name="api-case-care"),
    path("care/<int:care_id>/correct/", facts.CareCorrectView.as_view(), name="api-care-correct"),
    path("income/<int:income_id>/correct/", facts.IncomeCorrectView.as_view(), name="api-income-correct"),
    path("cases/<str:case_number>/roles/", facts.RoleHistoryView.as_view(), name="api-case-roles"),
    path("cases/<str:case_number>/roles/correct/", facts.RoleCorrectView.as_view(), name="api-case-roles-correct"),
    path("cases/<str:case_number>/registration/", facts.RegistrationView.as_view(), name="api-case-registration"),
    path("representatives/<int:representative_id>/end/", facts.RepresentativeEndView.as_view(), name="api-rep-end"),
    # restrictions/<id>/approve/ and /reject/ are served by casework.ps.api (they decide the restriction's request for
    # approval through approvals.services, issue 11).
    path("restrictions/<int:restriction_id>/end/", facts.RestrictionEndView.as_view(), name="api-restriction-end"),
]
