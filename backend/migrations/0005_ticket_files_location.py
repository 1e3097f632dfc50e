from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.domains.repairs.models import EventKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_repairs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TechnicianPosition',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='technician_positions', on_delete=OnDelete.RESTRICT)),
                ('ticket', fields.OneToOneField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='position', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('models.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='positions', on_delete=OnDelete.CASCADE)),
                ('latitude', fields.FloatField()),
                ('longitude', fields.FloatField()),
                ('accuracy_m', fields.IntField(null=True)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'technician_position', 'app': 'models', 'indexes': [Index(fields=['expires_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Ticket',
            name='acknowledged_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='location_consent',
            field=fields.BooleanField(default=False),
        ),
        ops.RemoveField(model_name='Ticket', name='attachments'),
        ops.AlterField(
            model_name='TicketEvent',
            name='kind',
            field=fields.CharEnumField(description='CREATED: created\nACCEPTED: accepted\nREJECTED: rejected\nASSIGNED: assigned\nACKNOWLEDGED: acknowledged\nREASSIGNED: reassigned\nGRABBED: grabbed\nSTARTED: started\nNOTE: note\nCOMPLETED: completed\nRATED: rated\nCLOSED: closed\nCANCELLED: cancelled\nREOPENED: reopened', enum_type=EventKind, max_length=16),
        ),
        ops.AddField(
            model_name='TicketEvent',
            name='internal',
            field=fields.BooleanField(default=False),
        ),
        ops.RemoveField(model_name='TicketEvent', name='attachments'),
    ]
