from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.domains.repairs.models import EventKind, TicketStatus, Urgency
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_files')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharField(max_length=40)),
                ('title', fields.CharField(max_length=100)),
                ('title_en', fields.CharField(default='', max_length=100)),
                ('body', fields.CharField(default='', max_length=500)),
                ('body_en', fields.CharField(default='', max_length=500)),
                ('target_type', fields.CharField(default='', max_length=40)),
                ('target_id', fields.BigIntField(null=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification', 'app': 'models', 'indexes': [Index(fields=['user_id', 'read_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RepairCategory',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='repair_categories', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=50)),
                ('name_en', fields.CharField(default='', max_length=50)),
                ('is_active', fields.BooleanField(default=True)),
                ('sort', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'repair_category', 'app': 'models', 'unique_together': (('company', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RepairSettings',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='repair_settings', on_delete=OnDelete.RESTRICT)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', unique=True, db_constraint=True, to_field='id', related_name='repair_settings', on_delete=OnDelete.CASCADE)),
                ('allow_grab', fields.BooleanField(default=False)),
                ('auto_assign', fields.BooleanField(default=False)),
                ('normal_accept_minutes', fields.IntField(default=60)),
                ('normal_finish_hours', fields.IntField(default=48)),
                ('urgent_accept_minutes', fields.IntField(default=15)),
                ('urgent_finish_hours', fields.IntField(default=8)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'repair_settings', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TechnicianSkill',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='technician_skills', on_delete=OnDelete.RESTRICT)),
                ('staff', fields.ForeignKeyField('models.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='skills', on_delete=OnDelete.CASCADE)),
                ('category', fields.ForeignKeyField('models.RepairCategory', source_field='category_id', db_constraint=True, to_field='id', related_name='skills', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'technician_skill', 'app': 'models', 'unique_together': (('staff', 'category'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ticket',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('unit', fields.ForeignKeyField('models.Unit', source_field='unit_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('public_area', fields.CharField(default='', max_length=100)),
                ('category', fields.ForeignKeyField('models.RepairCategory', source_field='category_id', db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('reporter', fields.ForeignKeyField('models.User', source_field='reporter_id', db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('technician', fields.ForeignKeyField('models.StaffMember', source_field='technician_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('idempotency_key', fields.CharField(max_length=64)),
                ('description', fields.CharField(max_length=1000)),
                ('urgency', fields.CharEnumField(default=Urgency.NORMAL, description='NORMAL: normal\nURGENT: urgent', enum_type=Urgency, max_length=16)),
                ('status', fields.CharEnumField(default=TicketStatus.SUBMITTED, description='SUBMITTED: submitted\nACCEPTED: accepted\nASSIGNED: assigned\nIN_PROGRESS: in_progress\nCOMPLETED: completed\nRATED: rated\nCLOSED: closed\nREJECTED: rejected\nCANCELLED: cancelled', enum_type=TicketStatus, max_length=16)),
                ('attachments', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('preferred_start', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('preferred_end', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('accept_due', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finish_due', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('assigned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completion_minutes', fields.IntField(null=True)),
                ('sla_met', fields.BooleanField(null=True)),
                ('reject_reason', fields.CharField(default='', max_length=200)),
                ('reopen_count', fields.IntField(default=0)),
                ('rating_speed', fields.SmallIntField(null=True)),
                ('rating_quality', fields.SmallIntField(null=True)),
                ('rating_attitude', fields.SmallIntField(null=True)),
                ('rating_comment', fields.CharField(default='', max_length=500)),
                ('rated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'ticket', 'app': 'models', 'unique_together': (('reporter', 'idempotency_key'),), 'indexes': [Index(fields=['company_id', 'community_id', 'status']), Index(fields=['technician_id', 'status']), Index(fields=['completed_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='ticket_events', on_delete=OnDelete.RESTRICT)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='ticket_events', on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='CREATED: created\nACCEPTED: accepted\nREJECTED: rejected\nASSIGNED: assigned\nREASSIGNED: reassigned\nGRABBED: grabbed\nSTARTED: started\nNOTE: note\nCOMPLETED: completed\nRATED: rated\nCLOSED: closed\nCANCELLED: cancelled\nREOPENED: reopened', enum_type=EventKind, max_length=16)),
                ('from_status', fields.CharEnumField(null=True, description='SUBMITTED: submitted\nACCEPTED: accepted\nASSIGNED: assigned\nIN_PROGRESS: in_progress\nCOMPLETED: completed\nRATED: rated\nCLOSED: closed\nREJECTED: rejected\nCANCELLED: cancelled', enum_type=TicketStatus, max_length=16)),
                ('to_status', fields.CharEnumField(null=True, description='SUBMITTED: submitted\nACCEPTED: accepted\nASSIGNED: assigned\nIN_PROGRESS: in_progress\nCOMPLETED: completed\nRATED: rated\nCLOSED: closed\nREJECTED: rejected\nCANCELLED: cancelled', enum_type=TicketStatus, max_length=16)),
                ('note', fields.CharField(default='', max_length=500)),
                ('attachments', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ticket_event', 'app': 'models', 'indexes': [Index(fields=['ticket_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Role',
            name='defaults_version',
            field=fields.IntField(default=1, db_default=1),
        ),
    ]
