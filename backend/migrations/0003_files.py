from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.domains.files.models import FileKind, UploadPurpose
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_imports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Upload',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='uploads', on_delete=OnDelete.RESTRICT)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='uploads', on_delete=OnDelete.RESTRICT)),
                ('key', fields.CharField(unique=True, max_length=160)),
                ('content_type', fields.CharField(max_length=64)),
                ('size', fields.IntField()),
                ('kind', fields.CharEnumField(description='IMAGE: image\nVIDEO: video', enum_type=FileKind, max_length=8)),
                ('purpose', fields.CharEnumField(description='TICKET_PHOTO: ticket_photo\nTICKET_VIDEO: ticket_video\nTICKET_WORK_PHOTO: ticket_work_photo', enum_type=UploadPurpose, max_length=32)),
                ('attached_to', fields.CharField(null=True, max_length=64)),
                ('attached_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'file_upload', 'app': 'models', 'indexes': [Index(fields=['owner_id', 'created_at']), Index(fields=['attached_to'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
