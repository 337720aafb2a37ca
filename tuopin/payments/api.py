"""REST API of payments: batches (make, approve, send, cancel, bank file, reconcile) and payments (retry).

Writes go through ``payments.actions``; ``POST`` endpoints honour an ``Idempotency-Key`` header. No
response carries a full account number: payments show the mask only; the bank file is the one
export with full numbers, for checkers, and it is logged.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tuopin.accounts.roles import Capability
from tuopin.core.api import NoBodySerializer, ScopedViewSetMixin, StrictInputMixin

from . import actions
from .choices import Programme
from .idempotency import run_once
from .models import Batch, Payment, Reconciliation


class PaymentSerializer(serializers.ModelSerializer):
    """A payment with its account masked."""

    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "batch",
            "household",
            "member",
            "programme",
            "period",
            "payee_key",
            "reference",
            "amount",
            "bank_name",
            "account_mask",
            "status",
            "status_label",
            "flag_reason",
            "return_reason",
            "retry_count",
            "paid_on",
        ]
        read_only_fields = fields


class ReconciliationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reconciliation
        fields = ["id", "batch", "at", "lines", "paid", "returned", "mismatches"]
        read_only_fields = fields


class BatchSerializer(serializers.ModelSerializer):
    """A batch with its control totals."""

    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Batch
        fields = [
            "id",
            "kind",
            "programme",
            "period",
            "title",
            "region",
            "status",
            "status_label",
            "maker",
            "checker",
            "payment_count",
            "total_amount",
            "flagged_count",
            "created_at",
            "approved_at",
            "sent_at",
        ]
        read_only_fields = fields


class LineSerializer(StrictInputMixin, serializers.Serializer):
    household = serializers.IntegerField()
    member = serializers.IntegerField(required=False, allow_null=True)
    amount = serializers.CharField(max_length=20)


class BatchCreateSerializer(StrictInputMixin, serializers.Serializer):
    kind = serializers.CharField(
        max_length=12, help_text="资金类别：" + "、".join(f"{v}={lb}" for v, lb in Programme.choices)
    )
    programme = serializers.CharField(max_length=40)
    period = serializers.CharField(max_length=16)
    region = serializers.CharField(max_length=12)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    lines = LineSerializer(many=True)


class ApproveSerializer(StrictInputMixin, serializers.Serializer):
    control_count = serializers.IntegerField(min_value=0)
    control_total = serializers.DecimalField(max_digits=16, decimal_places=2)


class CancelSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReconcileSerializer(StrictInputMixin, serializers.Serializer):
    csv = serializers.CharField(max_length=5_000_000)


@extend_schema(tags=["payments"])
class BatchViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payment batches in the caller's jurisdiction."""

    scoped_model = Batch
    serializer_class = BatchSerializer
    filter_backends: list = []

    def _parse(self, cls):
        s = cls(data=self.request.data)
        s.is_valid(raise_exception=True)
        return s.validated_data

    @extend_schema(request=BatchCreateSerializer, responses={201: BatchSerializer})
    def create(self, request):
        """Make a draft batch (``create_batch``)."""
        self.require(Capability.MAKE_PAYMENTS)

        def run():
            data = dict(self._parse(BatchCreateSerializer))
            batch = actions.create_batch(actor=request.user, lines=[dict(x) for x in data.pop("lines")], **data)
            return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

        return run_once(request, "batch.create", run)

    @extend_schema(request=ApproveSerializer, responses={200: BatchSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve (checker ≠ maker) restating the control totals (``approve_batch``)."""
        batch = self.get_object()
        self.require(Capability.CHECK_PAYMENTS)

        def run():
            data = self._parse(ApproveSerializer)
            b = actions.approve_batch(batch, actor=request.user, **data)
            return Response(BatchSerializer(b).data)

        return run_once(request, f"batch.approve.{batch.pk}", run)

    @extend_schema(request=NoBodySerializer, responses={200: BatchSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Hand the approved batch to the bank (``send_batch``)."""
        batch = self.get_object()
        self.require(Capability.CHECK_PAYMENTS)
        self._parse(NoBodySerializer)
        return run_once(
            request,
            f"batch.send.{batch.pk}",
            lambda: Response(BatchSerializer(actions.send_batch(batch, actor=request.user)).data),
        )

    @extend_schema(request=CancelSerializer, responses={200: BatchSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Void a draft batch (``cancel_batch``)."""
        batch = self.get_object()
        self.require(Capability.MAKE_PAYMENTS)
        reason = self._parse(CancelSerializer).get("reason", "")
        b = actions.cancel_batch(batch, actor=request.user, reason=reason)
        return Response(BatchSerializer(b).data)

    @action(detail=True, methods=["get"], url_path="bank-file")
    def bank_file(self, request, pk=None):
        """The bank disbursement file (CSV, full account numbers; logged)."""
        batch = self.get_object()
        self.require(Capability.CHECK_PAYMENTS)
        text = actions.bank_file(batch, actor=request.user)
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}.csv"'
        return response

    @extend_schema(request=ReconcileSerializer, responses={200: ReconciliationSerializer})
    @action(detail=True, methods=["post"])
    def reconcile(self, request, pk=None):
        """Check the bank's return file against the batch (``reconcile``)."""
        batch = self.get_object()
        self.require(Capability.CHECK_PAYMENTS)
        rec = actions.reconcile(batch, actor=request.user, csv_text=self._parse(ReconcileSerializer)["csv"])
        return Response(ReconciliationSerializer(rec).data)


@extend_schema(tags=["payments"])
class PaymentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payments to households in the caller's jurisdiction (accounts masked)."""

    scoped_model = Payment
    serializer_class = PaymentSerializer
    filter_backends: list = []

    def scope_queryset(self, qs):
        batch = self.request.query_params.get("batch", "")
        return qs.filter(batch_id=int(batch)) if batch.isdigit() else qs

    @extend_schema(request=NoBodySerializer, responses={200: PaymentSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Send a returned payment again, once (``retry_payment``)."""
        payment = self.get_object()
        self.require(Capability.CHECK_PAYMENTS)
        NoBodySerializer(data=request.data).is_valid(raise_exception=True)
        return run_once(
            request,
            f"payment.retry.{payment.pk}",
            lambda: Response(PaymentSerializer(actions.retry_payment(payment, actor=request.user)).data),
        )
