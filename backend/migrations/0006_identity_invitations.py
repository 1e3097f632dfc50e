from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.domains.accounts.models import InvitationStatus
from backend.domains.residents.models import BindingStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_ticket_files_location')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffInvitation',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='staff_invitations', on_delete=OnDelete.RESTRICT)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='staff_invitations', on_delete=OnDelete.CASCADE)),
                ('invited_by', fields.ForeignKeyField('models.User', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='staff_invitations_sent', on_delete=OnDelete.SET_NULL)),
                ('name', fields.CharField(max_length=50)),
                ('title', fields.CharField(default='', max_length=50)),
                ('grants', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=InvitationStatus.PENDING, description='PENDING: pending\nACCEPTED: accepted\nDECLINED: declined\nCANCELLED: cancelled', enum_type=InvitationStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('responded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_invitation', 'app': 'models', 'indexes': [Index(fields=['user_id', 'status']), Index(fields=['company_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='UnitBinding',
            name='status',
            field=fields.CharEnumField(default=BindingStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nREMOVED: removed\nINVITED: invited', enum_type=BindingStatus, max_length=16),
        ),
        ops.AddField(
            model_name='UnitBinding',
            name='invited_name',
            field=fields.CharField(default='', max_length=50),
        ),
    ]
