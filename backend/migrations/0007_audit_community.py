from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_identity_invitations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditLog',
            name='community',
            field=fields.ForeignKeyField('models.Community', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='audit_logs', on_delete=OnDelete.SET_NULL),
        ),
    ]
